package dev.switchboard.derpmap;

import dev.switchboard.config.HostPort;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds the served DERP map the way Coder does (Coder's `tailnet/derpmap.go` NewDERPMap): the embedded region, one STUN-only region per
 * STUN address, the external map merged in, CODER_BLOCK_DIRECT applied, then validated. Pure.
 */
public final class DerpMapBuilder {
    static final String NO_REGIONS = "DERP map has no regions. A valid DERP map is required for networking to work. "
            + "You must either supply your own DERP map or use the built-in DERP server";
    static final String NO_DERP_NODES = "DERP map has no DERP nodes. A valid DERP map is required for networking to "
            + "work. You must either supply your own DERP map or use the built-in DERP server";

    private DerpMapBuilder() {
    }

    /**
     * @param external       a map read from CODER_DERP_CONFIG_PATH or _URL, if any
     * @param externalSource that path or URL, for the conflict message
     * @throws InvalidDerpMapException with Coder's message on an ID conflict or an unusable result
     */
    public static DerpMap build(DerpMapSettings settings, Optional<DerpMap> external, String externalSource) {
        Map<Long, DerpRegion> defaults = defaultRegions(settings);
        Map<Long, DerpRegion> merged = new LinkedHashMap<>(external.map(DerpMap::regions).orElse(new TreeMap<>()));
        for (DerpRegion region : defaults.values()) {
            if (merged.containsKey(region.regionId())) {
                throw new InvalidDerpMapException(String.format("a default region ID %d (%s - %s) conflicts with a "
                                + "remote region from %s", region.regionId(), region.regionCode(),
                        goQuote(region.regionName()), goQuote(externalSource)));
            }
            merged.put(region.regionId(), region);
        }
        DerpMap map = external.map(e -> e.withRegions(merged)).orElseGet(() -> DerpMap.of(merged));
        if (settings.blockDirect()) {
            map = blockDirect(map);
        }
        validate(map);
        return map;
    }

    private static Map<Long, DerpRegion> defaultRegions(DerpMapSettings settings) {
        Map<Long, DerpRegion> regions = new LinkedHashMap<>();
        if (!settings.serverEnabled()) {
            return regions; // with the embedded relay off, STUN addresses are ignored too
        }
        long id = settings.regionId();
        boolean stunDisabled = settings.stunAddresses().isEmpty();
        int stunPort = stunDisabled ? -1 : settings.stunResponderPort().orElse(-1);
        var url = settings.accessUrl();
        boolean http = "http".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() > 0 ? url.getPort() : http ? 80 : 443;
        regions.put(id, DerpRegion.of(true, id, settings.regionCode(), settings.regionName(),
                List.of(DerpNode.relay(id + "b", id, url.getHost(), port, stunPort, http)
                        .withCertName(settings.certName().orElse(null)))));
        List<String> stun = settings.stunAddresses();
        for (int i = 0; i < stun.size(); i++) {
            long stunId = id + i + 1;
            HostPort address = HostPort.parse("CODER_DERP_SERVER_STUN_ADDRESSES", stun.get(i));
            regions.put(stunId, DerpRegion.of(false, stunId, "coder_stun_" + stunId, "Coder STUN " + stunId,
                    List.of(DerpNode.stunOnly(stunId + "stun0", stunId, address.host(), address.port()))));
        }
        return regions;
    }

    /** Relay-only deployment: STUN off on every node, STUN-only nodes (and regions left empty) removed. */
    static DerpMap blockDirect(DerpMap map) {
        Map<Long, DerpRegion> regions = new LinkedHashMap<>();
        map.regions().forEach((id, region) -> {
            List<DerpNode> nodes = new ArrayList<>();
            for (DerpNode node : region.nodes()) {
                if (!node.stunOnly()) {
                    nodes.add(node.withStunPort(-1));
                }
            }
            if (!nodes.isEmpty()) {
                regions.put(id, region.withNodes(nodes));
            }
        });
        return map.withRegions(regions);
    }

    /** Structural checks on any map we are about to serve. */
    public static void validate(DerpMap map) {
        if (map.regions().isEmpty()) {
            throw new InvalidDerpMapException(NO_REGIONS);
        }
        map.regions().forEach((id, region) -> {
            if (id <= 0 || id != region.regionId()) {
                throw new InvalidDerpMapException("region key " + id + " does not match its RegionID "
                        + region.regionId());
            }
        });
        if (map.derpNodes().isEmpty()) {
            throw new InvalidDerpMapException(NO_DERP_NODES);
        }
    }

    /** Go's %q for the strings that appear here. */
    private static String goQuote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
