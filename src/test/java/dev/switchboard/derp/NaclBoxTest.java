package dev.switchboard.derp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testing.KnownAnswers;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static dev.switchboard.testing.KnownAnswers.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NaclBoxTest {

    @Test
    void reproducesEveryNaclKnownAnswer() throws Exception {
        int checked = 0;
        for (JsonNode vector : KnownAnswers.root().get("nacl_box_vectors")) {
            NodePrivateKey sender = NodePrivateKey.of(hex(vector.get("sender_private").asText()));
            NodePrivateKey recipient = NodePrivateKey.of(hex(vector.get("recipient_private").asText()));
            assertEquals(vector.get("sender_public").asText(), sender.publicKey().toHex());
            assertEquals(vector.get("recipient_public").asText(), recipient.publicKey().toHex());
            byte[] nonce = hex(vector.get("nonce").asText());
            byte[] plaintext = vector.get("plaintext_utf8").asText().getBytes(StandardCharsets.UTF_8);
            byte[] expected = hex(vector.get("sealed_tag_then_ciphertext").asText());

            assertArrayEquals(expected, NaclBox.seal(plaintext, nonce, sender, recipient.publicKey()));
            assertArrayEquals(plaintext,
                    NaclBox.open(expected, 0, expected.length, nonce, recipient, sender.publicKey()));
            checked++;
        }
        assertEquals(4, checked);
    }

    @Test
    void tamperedBoxWrongKeyAndShortBoxDoNotOpen() {
        NodePrivateKey a = NodePrivateKey.generate();
        NodePrivateKey b = NodePrivateKey.generate();
        byte[] nonce = new byte[24];
        byte[] sealed = NaclBox.seal("hello".getBytes(StandardCharsets.UTF_8), nonce, a, b.publicKey());

        byte[] tampered = sealed.clone();
        tampered[tampered.length - 1] ^= 1;
        assertThrows(NaclBox.BoxOpenException.class,
                () -> NaclBox.open(tampered, 0, tampered.length, nonce, b, a.publicKey()));
        assertThrows(NaclBox.BoxOpenException.class,
                () -> NaclBox.open(sealed, 0, sealed.length, nonce, b, NodePrivateKey.generate().publicKey()));
        assertThrows(NaclBox.BoxOpenException.class, () -> NaclBox.open(sealed, 0, 15, nonce, b, a.publicKey()));
    }

    @Test
    void generatedKeysAreClampedAndPrivateTextRoundTrips() {
        NodePrivateKey key = NodePrivateKey.generate();
        NodePrivateKey parsed = NodePrivateKey.parse(key.toText());
        assertEquals(key.publicKey(), parsed.publicKey());
        byte[] raw = hex(key.toText().substring("privkey:".length()));
        assertEquals(0, raw[0] & 7);
        assertEquals(64, raw[31] & 0xc0);
        assertEquals(false, key.toString().contains(key.toText().substring(8)), "toString must not reveal the key");
    }
}
