package dev.switchboard.derpmap;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Inputs of Coder's map construction (Coder's `tailnet/derpmap.go` NewDERPMap), already parsed from {@code CODER_*} settings.
 *
 * @param accessUrl          CODER_ACCESS_URL: host and port of the embedded node
 * @param serverEnabled      CODER_DERP_SERVER_ENABLE
 * @param regionId           CODER_DERP_SERVER_REGION_ID (STUN regions follow from id + 1)
 * @param stunAddresses      CODER_DERP_SERVER_STUN_ADDRESSES as {@code host:port}; empty when {@code disable}
 * @param stunResponderPort  the port of our own STUN responder, when it runs
 * @param blockDirect        CODER_BLOCK_DIRECT
 * @param certName           the embedded node's CertName: the development certificate's {@code sha256-raw:} pin
 */
public record DerpMapSettings(URI accessUrl, boolean serverEnabled, long regionId, String regionCode,
                              String regionName, List<String> stunAddresses, OptionalInt stunResponderPort,
                              boolean blockDirect, Optional<String> certName) {
}
