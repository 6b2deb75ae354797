package dev.switchboard.derp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The JSON a server seals into its ServerInfo frame. Servers send exactly {@code {"version":2}}; the token-bucket
 * fields, when non-zero, ask the client to rate-limit its own sends.
 */
public record ServerInfo(int version, long tokenBucketBytesPerSecond, long tokenBucketBytesBurst) {
    private static final JsonFactory JSON = new JsonFactory();

    public static ServerInfo current() {
        return new ServerInfo(DerpLimits.PROTOCOL_VERSION, 0, 0);
    }

    public byte[] toJson() {
        StringBuilder json = new StringBuilder("{");
        appendField(json, "version", version);
        appendField(json, "TokenBucketBytesPerSecond", tokenBucketBytesPerSecond);
        appendField(json, "TokenBucketBytesBurst", tokenBucketBytesBurst);
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void appendField(StringBuilder json, String name, long value) {
        if (value != 0) {
            json.append(json.length() > 1 ? "," : "").append('"').append(name).append("\":").append(value);
        }
    }

    public static ServerInfo parse(byte[] json) throws DerpProtocolException {
        int version = 0;
        long perSecond = 0;
        long burst = 0;
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new DerpProtocolException("bad_server_info", "ServerInfo is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName().toLowerCase(Locale.ROOT);
                JsonToken value = parser.nextToken();
                boolean number = value == JsonToken.VALUE_NUMBER_INT;
                switch (name) {
                    case "version" -> version = number ? parser.getIntValue() : version;
                    case "tokenbucketbytespersecond" -> perSecond = number ? parser.getLongValue() : perSecond;
                    case "tokenbucketbytesburst" -> burst = number ? parser.getLongValue() : burst;
                    default -> parser.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new DerpProtocolException("bad_server_info", "ServerInfo is not valid JSON");
        }
        return new ServerInfo(version, perSecond, burst);
    }
}
