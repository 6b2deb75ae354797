package dev.switchboard.tailnet.disco;

import dev.switchboard.derp.NodeKey;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Disco payloads (tailscale {@code disco/disco.go}): type(1) ‖ version(1) ‖ body. */
public sealed interface DiscoMessage {
    byte TYPE_PING = 0x01;
    byte TYPE_PONG = 0x02;
    byte TYPE_CALL_ME_MAYBE = 0x03;
    int TXID_LEN = 12;
    int ADDR_LEN = 18;

    byte[] encode();

    /** A private copy of a 12-byte TxID: records must not share the caller's array. */
    private static byte[] checkedTxId(byte[] txId) {
        if (txId.length != TXID_LEN) {
            throw new IllegalArgumentException("TxID must be 12 bytes");
        }
        return txId.clone();
    }

    /** Ping: TxID ‖ node key. The node key is null for clients ≤ 1.16; trailing padding is accepted. */
    record Ping(byte[] txId, NodeKey nodeKey) implements DiscoMessage {
        public Ping {
            txId = checkedTxId(txId);
        }

        @Override
        public byte[] txId() {
            return txId.clone();
        }

        @Override
        public byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(2 + TXID_LEN + (nodeKey == null ? 0 : 32));
            b.put(TYPE_PING).put((byte) 0).put(txId);
            if (nodeKey != null) {
                b.put(nodeKey.toBytes());
            }
            return b.array();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Ping p && Arrays.equals(txId, p.txId) && java.util.Objects.equals(nodeKey, p.nodeKey);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(txId);
        }
    }

    /** Pong: TxID ‖ observed source ip (16, IPv4-mapped) ‖ port (BE). */
    record Pong(byte[] txId, InetSocketAddress src) implements DiscoMessage {
        public Pong {
            txId = checkedTxId(txId);
        }

        @Override
        public byte[] txId() {
            return txId.clone();
        }

        @Override
        public byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(2 + TXID_LEN + ADDR_LEN);
            b.put(TYPE_PONG).put((byte) 0).put(txId);
            putAddr(b, src);
            return b.array();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Pong p && Arrays.equals(txId, p.txId) && src.equals(p.src);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(txId);
        }
    }

    /** CallMeMaybe: N × (ip 16 ‖ port 2 BE). */
    record CallMeMaybe(List<InetSocketAddress> endpoints) implements DiscoMessage {
        public CallMeMaybe {
            endpoints = List.copyOf(endpoints);
        }

        @Override
        public byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(2 + ADDR_LEN * endpoints.size());
            b.put(TYPE_CALL_ME_MAYBE).put((byte) 0);
            endpoints.forEach(e -> putAddr(b, e));
            return b.array();
        }
    }

    /** Parses a payload; empty for unknown types or malformed bodies (disco.go {@code Parse}). Never throws. */
    static Optional<DiscoMessage> parse(byte[] p) {
        if (p.length < 2) {
            return Optional.empty();
        }
        byte type = p[0];
        byte version = p[1];
        int n = p.length - 2;
        switch (type) {
            case TYPE_PING -> {
                if (n < TXID_LEN) {
                    return Optional.empty();
                }
                byte[] tx = Arrays.copyOfRange(p, 2, 2 + TXID_LEN);
                NodeKey key = n >= TXID_LEN + 32 ? NodeKey.of(Arrays.copyOfRange(p, 14, 46)) : null;
                return Optional.of(new Ping(tx, key));
            }
            case TYPE_PONG -> {
                if (n < TXID_LEN + ADDR_LEN) {
                    return Optional.empty();
                }
                return Optional.of(new Pong(Arrays.copyOfRange(p, 2, 14), readAddr(p, 14)));
            }
            case TYPE_CALL_ME_MAYBE -> {
                if (version != 0 || n % ADDR_LEN != 0) {
                    return Optional.of(new CallMeMaybe(List.of()));
                }
                List<InetSocketAddress> eps = new ArrayList<>();
                for (int off = 2; off < p.length; off += ADDR_LEN) {
                    eps.add(readAddr(p, off));
                }
                return Optional.of(new CallMeMaybe(eps));
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    private static void putAddr(ByteBuffer b, InetSocketAddress a) {
        byte[] ip = a.getAddress().getAddress();
        if (ip.length == 4) {
            b.put(new byte[10]).put((byte) 0xff).put((byte) 0xff);
        }
        b.put(ip).putShort((short) a.getPort());
    }

    /** Reads ip(16) ‖ port; IPv4-mapped addresses become IPv4 (Go's {@code Unmap}). */
    private static InetSocketAddress readAddr(byte[] p, int off) {
        try {
            InetAddress ip = InetAddress.getByAddress(Arrays.copyOfRange(p, off, off + 16));
            int port = ((p[off + 16] & 0xff) << 8) | (p[off + 17] & 0xff);
            return new InetSocketAddress(ip, port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
