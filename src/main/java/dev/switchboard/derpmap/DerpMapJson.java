package dev.switchboard.derpmap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.UncheckedIOException;

/** DERPMap JSON as Go's encoding/json reads and writes it: case-insensitive keys, unknown keys ignored. */
public final class DerpMapJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private DerpMapJson() {
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @throws InvalidDerpMapException with the parser's reason if the text is not a DERP map
     */
    public static DerpMap read(String json) {
        try {
            DerpMap map = MAPPER.readValue(json, DerpMap.class);
            if (map == null) {
                throw new InvalidDerpMapException("DERP map is null");
            }
            return map;
        } catch (JsonProcessingException e) {
            throw new InvalidDerpMapException("DERP map is not valid JSON: " + e.getOriginalMessage());
        }
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
