package dev.switchboard.derpmap;

import dev.switchboard.config.ConfigDefaults;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Coder's construction rules (Coder's `tailnet/derpmap.go`) and Tailscale's JSON shape (§1, §4). */
class DerpMapBuilderTest {
    private static final List<String> DEFAULT_STUN = DerpMapService.stunAddresses(ConfigDefaults.STUN_ADDRESSES);
    private static final URI HTTPS = URI.create("https://coder.example.com");

    static DerpMapSettings settings(URI url, boolean enabled, long id, List<String> stun, OptionalInt responder,
                                    boolean blockDirect) {
        return new DerpMapSettings(url, enabled, id, "coder", "Coder Embedded Relay", stun, responder, blockDirect,
                Optional.empty());
    }

    @Test
    void defaultMapMatchesCodersByteForByte() {
        DerpMap map = DerpMapBuilder.build(settings(HTTPS, true, 999, DEFAULT_STUN,
                OptionalInt.empty(), false), Optional.empty(), "");
        String expected = "{\"Regions\":{"
                + stunRegion(1000, "stun.l.google.com") + "," + stunRegion(1001, "stun1.l.google.com") + ","
                + stunRegion(1002, "stun2.l.google.com") + "," + stunRegion(1003, "stun3.l.google.com") + ","
                + stunRegion(1004, "stun4.l.google.com") + ","
                + "\"999\":{\"EmbeddedRelay\":true,\"RegionID\":999,\"RegionCode\":\"coder\","
                + "\"RegionName\":\"Coder Embedded Relay\",\"Nodes\":[{\"Name\":\"999b\",\"RegionID\":999,"
                + "\"HostName\":\"coder.example.com\",\"STUNPort\":-1,\"DERPPort\":443}]}}}";
        assertEquals(expected, DerpMapJson.write(map));
    }

    private static String stunRegion(long id, String host) {
        return "\"" + id + "\":{\"RegionID\":" + id + ",\"RegionCode\":\"coder_stun_" + id + "\",\"RegionName\":"
                + "\"Coder STUN " + id + "\",\"Nodes\":[{\"Name\":\"" + id + "stun0\",\"RegionID\":" + id
                + ",\"HostName\":\"" + host + "\",\"STUNPort\":19302,\"STUNOnly\":true}]}";
    }

    @Test
    void plainHttpAccessUrlForcesHttpAndOurStunResponderIsAdvertised() {
        DerpMap map = DerpMapBuilder.build(settings(URI.create("http://coder.internal:3000"), true, 999,
                DEFAULT_STUN, OptionalInt.of(3478), false), Optional.empty(), "");
        DerpNode node = map.regions().get(999L).nodes().get(0);
        assertEquals("coder.internal", node.hostName());
        assertEquals(3000, node.derpPort());
        assertTrue(node.forceHttp());
        assertEquals(3478, node.stunPort());
        assertEquals(80, DerpMapBuilder.build(settings(URI.create("http://h"), true, 999, List.of(),
                OptionalInt.empty(), false), Optional.empty(), "").regions().get(999L).nodes().get(0).derpPort());
    }

    @Test
    void customRegionIdNumbersStunRegionsFromIt() {
        DerpMap map = DerpMapBuilder.build(settings(HTTPS, true, 500, List.of("a:1", "[2001:db8::1]:2"),
                OptionalInt.of(3478), false), Optional.empty(), "");
        assertEquals(List.of(500L, 501L, 502L), map.regions().keySet().stream().sorted().toList());
        assertEquals("500b", map.regions().get(500L).nodes().get(0).name());
        assertEquals("2001:db8::1", map.regions().get(502L).nodes().get(0).hostName());
        assertEquals("502stun0", map.regions().get(502L).nodes().get(0).name());
    }

    @Test
    void disabledStunMeansNoStunRegionsAndNoStunOnTheEmbeddedNode() {
        DerpMap map = DerpMapBuilder.build(settings(HTTPS, true, 999, List.of(), OptionalInt.of(3478), false),
                Optional.empty(), "");
        assertEquals(1, map.regions().size());
        assertEquals(-1, map.regions().get(999L).nodes().get(0).stunPort());
    }

    @Test
    void disabledRelayWithoutExternalMapFailsWithCodersMessage() {
        InvalidDerpMapException e = assertThrows(InvalidDerpMapException.class, () -> DerpMapBuilder.build(
                settings(HTTPS, false, 999, DEFAULT_STUN, OptionalInt.empty(), false),
                Optional.empty(), ""));
        assertEquals(DerpMapBuilder.NO_REGIONS, e.getMessage());
    }

    @Test
    void disabledRelayServesOnlyTheExternalMap() {
        DerpMap external = DerpMapJson.read(MINIMAL_FILE);
        DerpMap map = DerpMapBuilder.build(settings(HTTPS, false, 999, DEFAULT_STUN,
                OptionalInt.empty(), false), Optional.of(external), "/etc/derp.json");
        assertEquals(List.of(1L), List.copyOf(map.regions().keySet()));
    }

    @Test
    void blockDirectDisablesStunEverywhere() {
        DerpMap map = DerpMapBuilder.build(settings(HTTPS, true, 999, DEFAULT_STUN,
                OptionalInt.of(3478), true), Optional.of(DerpMapJson.read(TAILSCALE_EXAMPLE)), "x");
        assertEquals(List.of(900L, 999L), map.regions().keySet().stream().sorted().toList());
        map.regions().values().forEach(r -> r.nodes().forEach(n -> {
            assertEquals(-1, n.stunPort());
            assertFalse(n.stunOnly());
        }));
    }

    @Test
    void regionIdConflictFailsWithCodersMessage() {
        String external = "{\"Regions\":{\"999\":{\"RegionID\":999,\"RegionCode\":\"x\",\"RegionName\":\"X\","
                + "\"Nodes\":[{\"Name\":\"1\",\"RegionID\":999,\"HostName\":\"h\"}]}}}";
        InvalidDerpMapException e = assertThrows(InvalidDerpMapException.class, () -> DerpMapBuilder.build(
                settings(HTTPS, true, 999, List.of(), OptionalInt.empty(), false),
                Optional.of(DerpMapJson.read(external)), "https://maps.example/derp.json"));
        assertEquals("a default region ID 999 (coder - \"Coder Embedded Relay\") conflicts with a remote region "
                + "from \"https://maps.example/derp.json\"", e.getMessage());
    }

    @Test
    void mapOfOnlyStunNodesHasNoDerpNodes() {
        String stunOnly = "{\"Regions\":{\"5\":{\"RegionID\":5,\"RegionCode\":\"s\",\"RegionName\":\"S\","
                + "\"Nodes\":[{\"Name\":\"5s\",\"RegionID\":5,\"HostName\":\"h\",\"STUNOnly\":true}]}}}";
        InvalidDerpMapException e = assertThrows(InvalidDerpMapException.class, () -> DerpMapBuilder.build(
                settings(HTTPS, false, 999, List.of(), OptionalInt.empty(), false),
                Optional.of(DerpMapJson.read(stunOnly)), "x"));
        assertEquals(DerpMapBuilder.NO_DERP_NODES, e.getMessage());
    }

    @Test
    void tailscaleExampleRoundTripsAndDecodesCaseInsensitively() throws Exception {
        DerpMap map = DerpMapJson.read(TAILSCALE_EXAMPLE);
        JsonNode original = DerpMapJson.mapper().readTree(TAILSCALE_EXAMPLE);
        // omitDefaultRegions:false is omitted on output (omitempty); everything else survives exactly.
        ((com.fasterxml.jackson.databind.node.ObjectNode) original).remove("omitDefaultRegions");
        assertEquals(original, DerpMapJson.mapper().readTree(DerpMapJson.write(map)));

        DerpMap shouting = DerpMapJson.read(TAILSCALE_EXAMPLE.replace("\"HostName\"", "\"hostname\"")
                .replace("\"RegionID\"", "\"regionid\"").replace("\"Regions\"", "\"REGIONS\""));
        assertTrue(shouting.sameAs(map));
        assertTrue(DerpMapJson.read("{\"Regions\":{},\"Unknown\":[1,2]}").regions().isEmpty());
        assertThrows(InvalidDerpMapException.class, () -> DerpMapJson.read("{\"Regions\":"));
    }

    @Test
    void nodeOrderDoesNotCountAsAChange() {
        DerpMap map = DerpMapJson.read(TAILSCALE_EXAMPLE);
        DerpRegion region = map.regions().get(900L);
        DerpMap reordered = map.withRegions(java.util.Map.of(900L,
                region.withNodes(List.of(region.nodes().get(2), region.nodes().get(0), region.nodes().get(1)))));
        assertTrue(map.sameAs(reordered));
        assertFalse(map.sameAs(map.withRegions(java.util.Map.of(900L, region.withNodes(region.nodes().subList(0, 2))))));
    }

    static final String MINIMAL_FILE = "{\"Regions\":{\"1\":{\"RegionID\":1,\"RegionCode\":\"myderp\","
            + "\"RegionName\":\"My DERP\",\"Nodes\":[{\"Name\":\"1\",\"RegionID\":1,\"HostName\":\"your-hostname.com\"}]}}}";

    static final String TAILSCALE_EXAMPLE = """
            {
              "HomeParams": {"RegionScore": {"900": 0.8}},
              "Regions": {
                "900": {
                  "RegionID": 900, "RegionCode": "acme-fra", "RegionName": "ACME Frankfurt",
                  "Latitude": 50.11, "Longitude": 8.68,
                  "Nodes": [
                    {"Name": "900a", "RegionID": 900, "HostName": "derp1.example.com",
                     "IPv4": "203.0.113.10", "IPv6": "2001:db8::10", "CanPort80": true},
                    {"Name": "900b", "RegionID": 900, "HostName": "derp2.example.com",
                     "IPv4": "203.0.113.11", "IPv6": "none", "DERPPort": 8443, "STUNPort": 3479},
                    {"Name": "900c", "RegionID": 900, "HostName": "203.0.113.12",
                     "CertName": "sha256-raw:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                     "STUNPort": -1}
                  ]
                }
              },
              "omitDefaultRegions": false
            }""";
}
