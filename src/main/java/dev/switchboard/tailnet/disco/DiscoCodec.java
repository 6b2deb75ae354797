package dev.switchboard.tailnet.disco;

import dev.switchboard.derp.DiscoPacket;
import dev.switchboard.derp.NaclBox;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;

/**
 * Disco packet framing (tailscale {@code disco/disco.go}, {@code magicsock.go handleDiscoMessage}): magic(6) ‖
 * sender disco key(32) ‖ nonce(24) ‖ box(payload).
 */
public final class DiscoCodec {
    public static final int HEADER_LEN = 6 + 32 + 24;
    private static final byte[] MAGIC = DiscoPacket.magic();
    private static final SecureRandom RANDOM = new SecureRandom();

    private DiscoCodec() {
    }

    /** Result of {@link #open}. */
    public sealed interface Opened {
        record NotDisco() implements Opened { }

        record BadBox(DiscoKey sender) implements Opened { }

        record UnknownType(DiscoKey sender) implements Opened { }

        record Message(DiscoKey sender, DiscoMessage message) implements Opened { }
    }

    public static byte[] seal(DiscoMessage message, DiscoPrivateKey sender, DiscoKey recipient) {
        byte[] nonce = new byte[24];
        RANDOM.nextBytes(nonce);
        return seal(message, sender, recipient, nonce);
    }

    public static byte[] seal(DiscoMessage message, DiscoPrivateKey sender, DiscoKey recipient, byte[] nonce) {
        byte[] box = NaclBox.seal(message.encode(), nonce, sender.asBoxKey(), recipient.key());
        byte[] out = new byte[HEADER_LEN + box.length];
        System.arraycopy(MAGIC, 0, out, 0, 6);
        System.arraycopy(sender.publicKey().toBytes(), 0, out, 6, 32);
        System.arraycopy(nonce, 0, out, 38, 24);
        System.arraycopy(box, 0, out, HEADER_LEN, box.length);
        return out;
    }

    /** {@code LooksLikeDiscoWrapper}: length ≥ 62 and the magic prefix. */
    public static boolean looksLikeDisco(byte[] packet) {
        return packet.length >= HEADER_LEN && Arrays.equals(packet, 0, 6, MAGIC, 0, 6);
    }

    /** Opens a packet; never throws on attacker bytes. */
    public static Opened open(byte[] packet, DiscoPrivateKey recipient) {
        if (!looksLikeDisco(packet)) {
            return new Opened.NotDisco();
        }
        DiscoKey sender = DiscoKey.of(Arrays.copyOfRange(packet, 6, 38));
        byte[] plain;
        try {
            plain = NaclBox.open(packet, HEADER_LEN, packet.length - HEADER_LEN, Arrays.copyOfRange(packet, 38, 62),
                    recipient.asBoxKey(), sender.key());
        } catch (NaclBox.BoxOpenException | RuntimeException e) {
            return new Opened.BadBox(sender);
        }
        Optional<DiscoMessage> msg = DiscoMessage.parse(plain);
        return msg.<Opened>map(m -> new Opened.Message(sender, m)).orElseGet(() -> new Opened.UnknownType(sender));
    }
}
