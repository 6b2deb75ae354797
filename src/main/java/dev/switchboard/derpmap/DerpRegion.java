package dev.switchboard.derpmap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** A region of relays (tailscale/tailscale tailcfg.DERPRegion plus Coder's {@code EmbeddedRelay}). */
@RegisterForReflection
@JsonPropertyOrder({"EmbeddedRelay", "RegionID", "RegionCode", "RegionName", "Latitude", "Longitude", "Avoid",
        "NoMeasureNoHome", "Nodes"})
public record DerpRegion(
        @JsonProperty("EmbeddedRelay") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean embeddedRelay,
        @JsonProperty("RegionID") long regionId,
        @JsonProperty("RegionCode") String regionCode,
        @JsonProperty("RegionName") String regionName,
        @JsonProperty("Latitude") @JsonInclude(JsonInclude.Include.NON_DEFAULT) double latitude,
        @JsonProperty("Longitude") @JsonInclude(JsonInclude.Include.NON_DEFAULT) double longitude,
        @JsonProperty("Avoid") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean avoid,
        @JsonProperty("NoMeasureNoHome") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean noMeasureNoHome,
        @JsonProperty("Nodes") List<DerpNode> nodes) {

    public DerpRegion {
        regionCode = regionCode == null ? "" : regionCode;
        regionName = regionName == null ? "" : regionName;
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
    }

    public static DerpRegion of(boolean embeddedRelay, long regionId, String code, String name, List<DerpNode> nodes) {
        return new DerpRegion(embeddedRelay, regionId, code, name, 0, 0, false, false, nodes);
    }

    public DerpRegion withNodes(List<DerpNode> newNodes) {
        return new DerpRegion(embeddedRelay, regionId, regionCode, regionName, latitude, longitude, avoid,
                noMeasureNoHome, newNodes);
    }
}
