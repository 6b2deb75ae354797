package dev.switchboard.tailnet.wireguard;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

/**
 * Local session indices (wireguard-go {@code device/indextable.go}): a random u32 per handshake, later swapped to the
 * keypair it produced, so an incoming response, cookie reply or transport message finds its peer in O(1). Bounded to
 * {@code capacity} entries (the device sizes it at 4 per peer: one handshake plus previous/current/next keypairs).
 *
 * <p>Owned by the caller's event loop; not thread-safe.
 */
final class IndexTable {
    /** A handshake in flight ({@code keypair == null}) or an established keypair. */
    record Entry(WireGuardPeer peer, Handshake handshake, Keypair keypair) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Map<Integer, Entry> table = new HashMap<>();
    private final int capacity;

    IndexTable(int capacity) {
        this.capacity = capacity;
    }

    /** {@code NewIndexForHandshake}: a fresh random index not in use. */
    int newIndexForHandshake(WireGuardPeer peer, Handshake handshake) {
        if (table.size() >= capacity) {
            throw new IllegalStateException("index table full (" + capacity + ")");
        }
        while (true) {
            int index = RANDOM.nextInt();
            if (!table.containsKey(index)) {
                table.put(index, new Entry(peer, handshake, null));
                return index;
            }
        }
    }

    /** {@code SwapIndexForKeypair}: the handshake's index now names the keypair. */
    void swapIndexForKeypair(int index, Keypair keypair) {
        Entry e = table.get(index);
        if (e != null) {
            table.put(index, new Entry(e.peer(), null, keypair));
        }
    }

    Entry lookup(int index) {
        return table.get(index);
    }

    void delete(int index) {
        table.remove(index);
    }

    /** Removes {@code index} only if it still names this in-flight handshake (never a keypair sharing the value). */
    void deleteHandshake(int index, Handshake handshake) {
        Entry e = table.get(index);
        if (e != null && e.handshake() == handshake) {
            table.remove(index);
        }
    }

    int size() {
        return table.size();
    }
}
