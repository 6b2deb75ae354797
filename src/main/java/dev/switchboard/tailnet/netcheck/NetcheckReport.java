package dev.switchboard.tailnet.netcheck;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.SortedMap;

/**
 * Tailscale's netcheck.Report (net/netcheck/netcheck.go v1.36.2) with its Go JSON encoding: field names as in the
 * struct, latencies as time.Duration (integer nanoseconds) keyed by region ID written as a string, opt.Bool as
 * true/false/null.
 *
 * <p>Not measured here, so always null: HairPinning (would need a second socket sending to our own mapped
 * address), UPnP, PMP and PCP (no port-mapping client).
 */
@RegisterForReflection
@JsonPropertyOrder({"UDP", "IPv6", "IPv4", "IPv6CanSend", "IPv4CanSend", "OSHasIPv6", "MappingVariesByDestIP",
        "HairPinning", "UPnP", "PMP", "PCP", "PreferredDERP", "RegionLatency", "RegionV4Latency", "RegionV6Latency",
        "GlobalV4", "GlobalV6"})
public record NetcheckReport(
        @JsonProperty("UDP") boolean udp,
        @JsonProperty("IPv6") boolean ipv6,
        @JsonProperty("IPv4") boolean ipv4,
        @JsonProperty("IPv6CanSend") boolean ipv6CanSend,
        @JsonProperty("IPv4CanSend") boolean ipv4CanSend,
        @JsonProperty("OSHasIPv6") boolean osHasIpv6,
        @JsonProperty("MappingVariesByDestIP") Boolean mappingVariesByDestIp,
        @JsonProperty("HairPinning") Boolean hairPinning,
        @JsonProperty("UPnP") Boolean upnp,
        @JsonProperty("PMP") Boolean pmp,
        @JsonProperty("PCP") Boolean pcp,
        @JsonProperty("PreferredDERP") long preferredDerp,
        @JsonProperty("RegionLatency") SortedMap<Long, Long> regionLatency,
        @JsonProperty("RegionV4Latency") SortedMap<Long, Long> regionV4Latency,
        @JsonProperty("RegionV6Latency") SortedMap<Long, Long> regionV6Latency,
        @JsonProperty("GlobalV4") String globalV4,
        @JsonProperty("GlobalV6") String globalV6) {
}
