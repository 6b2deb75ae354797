package dev.switchboard.derp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The JSON a client seals into its ClientInfo frame. Decoding follows Go's {@code encoding/json}: keys match
 * case-insensitively, unknown keys are ignored, a later duplicate wins. {@code meshKey}, when present, must be exactly
 * 64 hex digits (tailscale/tailscale TS-2025-003); anything else makes the whole ClientInfo invalid.
 *
 * @param meshKey     the 32-byte mesh key, or null
 * @param version     protocol version the client speaks (never checked by servers)
 * @param canAckPings whether the client answers server pings
 * @param isProber    prober connection (stats and PeerPresent flags only)
 * @param appName     opaque application name (v1.102+), or null
 */
public record ClientInfo(byte[] meshKey, int version, boolean canAckPings, boolean isProber, String appName) {
    private static final JsonFactory JSON = new JsonFactory();

    /** What a current regular client sends. */
    public static ClientInfo regular() {
        return new ClientInfo(null, DerpLimits.PROTOCOL_VERSION, true, false, null);
    }

    /** What a mesh peer or mesh watcher sends. */
    public static ClientInfo mesh(byte[] meshKey) {
        return new ClientInfo(meshKey.clone(), DerpLimits.PROTOCOL_VERSION, false, false, null);
    }

    /** Parses the opened box. */
    public static ClientInfo parse(byte[] json) throws DerpProtocolException {
        byte[] meshKey = null;
        int version = 0;
        boolean canAckPings = false;
        boolean isProber = false;
        String appName = null;
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw invalid("ClientInfo is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName().toLowerCase(Locale.ROOT);
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "meshkey" -> meshKey = value == JsonToken.VALUE_NULL ? null : parseMeshKey(parser, value);
                    case "version" -> version = value == JsonToken.VALUE_NULL ? version : intValue(parser, value);
                    case "canackpings" -> canAckPings = value == JsonToken.VALUE_NULL ? canAckPings : boolValue(value);
                    case "isprober" -> isProber = value == JsonToken.VALUE_NULL ? isProber : boolValue(value);
                    case "appname" -> appName = value == JsonToken.VALUE_NULL ? appName : stringValue(parser, value);
                    default -> parser.skipChildren();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw invalid("trailing data after ClientInfo");
            }
        } catch (IOException e) {
            throw invalid("ClientInfo is not valid JSON");
        }
        return new ClientInfo(meshKey, version, canAckPings, isProber, appName);
    }

    /** Serialises like Tailscale's v1.30–v1.36 client (field order version, meshKey, CanAckPings, IsProber). */
    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator gen = JSON.createGenerator(out)) {
            gen.writeStartObject();
            if (version != 0) {
                gen.writeNumberField("version", version);
            }
            if (meshKey != null) {
                gen.writeStringField("meshKey", HexFormat.of().formatHex(meshKey));
            }
            gen.writeBooleanField("CanAckPings", canAckPings);
            if (isProber) {
                gen.writeBooleanField("IsProber", true);
            }
            if (appName != null && !appName.isEmpty()) {
                gen.writeStringField("AppName", appName);
            }
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] parseMeshKey(JsonParser parser, JsonToken value) throws IOException, DerpProtocolException {
        String text = stringValue(parser, value);
        if (text.length() != 2 * DerpLimits.KEY_LEN || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw invalid("invalid mesh key");
        }
        return HexFormat.of().parseHex(text);
    }

    private static String stringValue(JsonParser parser, JsonToken value) throws IOException, DerpProtocolException {
        if (value != JsonToken.VALUE_STRING) {
            throw invalid("expected a JSON string");
        }
        return parser.getText();
    }

    private static int intValue(JsonParser parser, JsonToken value) throws IOException, DerpProtocolException {
        if (value != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT) {
            throw invalid("expected a JSON integer");
        }
        return parser.getIntValue();
    }

    private static boolean boolValue(JsonToken value) throws DerpProtocolException {
        if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE) {
            throw invalid("expected a JSON boolean");
        }
        return value == JsonToken.VALUE_TRUE;
    }

    private static DerpProtocolException invalid(String message) {
        return new DerpProtocolException("bad_client_info", message);
    }

    @Override
    public String toString() {
        return "ClientInfo[mesh=" + (meshKey != null) + ", version=" + version + ", canAckPings=" + canAckPings
                + ", isProber=" + isProber + ", appName=" + appName + "]";
    }
}
