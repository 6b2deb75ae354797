package dev.switchboard.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Coder's JSON error body: {@code {"message":…,"detail":…,"validations":[{"field":…,"detail":…}]}}. Clients read
 * {@code validations} to tell, for example, an invalid resume token from any other 401.
 */
public record ApiError(int status, String message, String detail, String validationField, String validationDetail) {
    private static final JsonFactory JSON = new JsonFactory();

    public static ApiError of(int status, String message) {
        return new ApiError(status, message, null, null, null);
    }

    public static ApiError of(int status, String message, String detail) {
        return new ApiError(status, message, detail, null, null);
    }

    public ApiError withValidation(String field, String fieldDetail) {
        return new ApiError(status, message, detail, field, fieldDetail);
    }

    public String toJson() {
        StringWriter out = new StringWriter();
        try (JsonGenerator gen = JSON.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField("message", message);
            if (detail != null) {
                gen.writeStringField("detail", detail);
            }
            if (validationField != null) {
                gen.writeArrayFieldStart("validations");
                gen.writeStartObject();
                gen.writeStringField("field", validationField);
                gen.writeStringField("detail", validationDetail);
                gen.writeEndObject();
                gen.writeEndArray();
            }
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public void send(HttpServerResponse response) {
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(toJson());
    }
}
