package dev.switchboard.diagnostics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.netty.util.NetUtil;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The local interfaces section of {@code coder netcheck} (coder/coder codersdk/healthsdk InterfacesReport): every
 * interface that is up and has an address that is not link-local, with its MTU; EIF01 when the MTU is below
 * {@link #SAFE_MTU}.
 */
@RegisterForReflection
@JsonPropertyOrder({"error", "severity", "warnings", "dismissed", "interfaces"})
public record InterfacesReport(
        @JsonProperty("error") String error,
        @JsonProperty("severity") Severity severity,
        @JsonProperty("warnings") List<HealthMessage> warnings,
        @JsonProperty("dismissed") boolean dismissed,
        @JsonProperty("interfaces") List<Interface> interfaces) {

    /** 1280 (IPv6 minimum, the tunnel's inner MTU) + 30 WireGuard + 8 UDP + up to 60 IP header bytes. */
    static final int SAFE_MTU = 1378;

    /** One interface; {@code addresses} are {@code ip/prefix} strings. */
    @RegisterForReflection
    @JsonPropertyOrder({"name", "mtu", "addresses"})
    public record Interface(@JsonProperty("name") String name, @JsonProperty("mtu") int mtu,
                            @JsonProperty("addresses") List<String> addresses) {
    }

    /** An interface as the OS describes it, before filtering. */
    record Candidate(String name, boolean up, int mtu, List<InetAddress> addresses, List<Integer> prefixes) {
    }

    /** Filters and warns. Pure. */
    static InterfacesReport of(List<Candidate> candidates) {
        List<Interface> interfaces = new ArrayList<>();
        List<HealthMessage> warnings = new ArrayList<>();
        for (Candidate candidate : candidates) {
            List<String> addresses = new ArrayList<>();
            boolean onlyLinkLocal = true;
            for (int i = 0; i < candidate.addresses().size(); i++) {
                InetAddress address = candidate.addresses().get(i);
                onlyLinkLocal &= address.isLinkLocalAddress();
                addresses.add(NetUtil.toAddressString(address) + "/" + candidate.prefixes().get(i));
            }
            if (!candidate.up() || addresses.isEmpty() || onlyLinkLocal) {
                continue;
            }
            interfaces.add(new Interface(candidate.name(), candidate.mtu(), List.copyOf(addresses)));
            if (candidate.mtu() < SAFE_MTU) {
                warnings.add(HealthMessage.lowMtu(candidate.name(), candidate.mtu(), SAFE_MTU));
            }
        }
        return new InterfacesReport(null, warnings.isEmpty() ? Severity.OK : Severity.WARNING, List.copyOf(warnings),
                false, List.copyOf(interfaces));
    }

    /** This machine's interfaces (blocking system calls: call off any event loop). */
    public static InterfacesReport local() throws SocketException {
        List<Candidate> candidates = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            List<InetAddress> addresses = new ArrayList<>();
            List<Integer> prefixes = new ArrayList<>();
            for (InterfaceAddress address : nic.getInterfaceAddresses()) {
                addresses.add(address.getAddress());
                prefixes.add((int) address.getNetworkPrefixLength());
            }
            candidates.add(new Candidate(nic.getName(), nic.isUp(), nic.getMTU(), addresses, prefixes));
        }
        return of(candidates);
    }
}
