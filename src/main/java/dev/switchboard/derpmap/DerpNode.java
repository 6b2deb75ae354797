package dev.switchboard.derpmap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One relay or STUN server (tailscale/tailscale tailcfg.DERPNode, plus Coder's {@code ForceHTTP}). JSON as Go
 * writes it: field order, names and {@code omitempty} as in the Go struct.
 *
 * @param stunPort 0 means 3478, -1 disables STUN on this node
 * @param derpPort 0 means 443
 */
@RegisterForReflection
@JsonPropertyOrder({"Name", "RegionID", "HostName", "CertName", "IPv4", "IPv6", "STUNPort", "STUNOnly", "DERPPort",
        "InsecureForTests", "ForceHTTP", "STUNTestIP", "CanPort80"})
public record DerpNode(
        @JsonProperty("Name") String name,
        @JsonProperty("RegionID") long regionId,
        @JsonProperty("HostName") String hostName,
        @JsonProperty("CertName") @JsonInclude(JsonInclude.Include.NON_EMPTY) String certName,
        @JsonProperty("IPv4") @JsonInclude(JsonInclude.Include.NON_EMPTY) String ipv4,
        @JsonProperty("IPv6") @JsonInclude(JsonInclude.Include.NON_EMPTY) String ipv6,
        @JsonProperty("STUNPort") @JsonInclude(JsonInclude.Include.NON_DEFAULT) int stunPort,
        @JsonProperty("STUNOnly") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean stunOnly,
        @JsonProperty("DERPPort") @JsonInclude(JsonInclude.Include.NON_DEFAULT) int derpPort,
        @JsonProperty("InsecureForTests") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean insecureForTests,
        @JsonProperty("ForceHTTP") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean forceHttp,
        @JsonProperty("STUNTestIP") @JsonInclude(JsonInclude.Include.NON_EMPTY) String stunTestIp,
        @JsonProperty("CanPort80") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean canPort80) {

    public DerpNode {
        name = name == null ? "" : name;
        hostName = hostName == null ? "" : hostName;
    }

    /** A DERP relay node. */
    public static DerpNode relay(String name, long regionId, String hostName, int derpPort, int stunPort,
                                 boolean forceHttp) {
        return new DerpNode(name, regionId, hostName, null, null, null, stunPort, false, derpPort, false, forceHttp,
                null, false);
    }

    /** A node used only for STUN, never dialled for DERP. */
    public static DerpNode stunOnly(String name, long regionId, String hostName, int stunPort) {
        return new DerpNode(name, regionId, hostName, null, null, null, stunPort, true, 0, false, false, null, false);
    }

    public DerpNode withCertName(String name) {
        return new DerpNode(this.name, regionId, hostName, name, ipv4, ipv6, stunPort, stunOnly, derpPort,
                insecureForTests, forceHttp, stunTestIp, canPort80);
    }

    public DerpNode withStunPort(int port) {
        return new DerpNode(name, regionId, hostName, certName, ipv4, ipv6, port, stunOnly, derpPort,
                insecureForTests, forceHttp, stunTestIp, canPort80);
    }
}
