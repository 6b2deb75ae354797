package dev.switchboard.derpmap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Which relays and STUN servers exist (tailscale/tailscale tailcfg.DERPMap). Region keys are written as decimal
 * strings in the order Go writes map keys (sorted as strings: "1000" before "999").
 */
@RegisterForReflection
@JsonPropertyOrder({"HomeParams", "Regions", "omitDefaultRegions"})
public record DerpMap(
        @JsonProperty("HomeParams") @JsonInclude(JsonInclude.Include.NON_NULL) HomeParams homeParams,
        @JsonProperty("Regions") SortedMap<Long, DerpRegion> regions,
        @JsonProperty("omitDefaultRegions") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean omitDefaultRegions) {

    /** Go's map-key order for integer keys marshalled as strings. */
    static final Comparator<Long> GO_KEY_ORDER = Comparator.comparing(String::valueOf);

    public DerpMap {
        SortedMap<Long, DerpRegion> sorted = new TreeMap<>(GO_KEY_ORDER);
        if (regions != null) {
            sorted.putAll(regions);
        }
        regions = java.util.Collections.unmodifiableSortedMap(sorted);
    }

    public static DerpMap of(Map<Long, DerpRegion> regions) {
        return new DerpMap(null, new TreeMap<>(regions), false);
    }

    /** {@code {"RegionScore": {"<id>": score}}}: below 1 favours a region as home, above 1 penalises it. */
    @RegisterForReflection
    public record HomeParams(
            @JsonProperty("RegionScore") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<Long, Double> regionScore) {
    }

    public DerpMap withRegions(Map<Long, DerpRegion> newRegions) {
        return new DerpMap(homeParams, new TreeMap<>(newRegions), omitDefaultRegions);
    }

    /** True when every region has the same content, comparing nodes by name whatever their order. */
    public boolean sameAs(DerpMap other) {
        return other != null && normalised().equals(other.normalised());
    }

    private DerpMap normalised() {
        Map<Long, DerpRegion> byId = new TreeMap<>();
        regions.forEach((id, region) -> byId.put(id, region.withNodes(
                region.nodes().stream().sorted(Comparator.comparing(DerpNode::name)).toList())));
        return new DerpMap(homeParams, new TreeMap<>(byId), omitDefaultRegions);
    }

    /** All nodes that relay (not STUN-only). */
    public List<DerpNode> derpNodes() {
        return regions.values().stream().flatMap(r -> r.nodes().stream()).filter(n -> !n.stunOnly()).toList();
    }
}
