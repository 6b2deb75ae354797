package dev.switchboard.tailnet.wireguard;

import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** ChaChaPoly against the JDK's ChaCha20-Poly1305 (an implementation we did not write) over many lengths and keys. */
class ChaChaPolyTest {
    private static byte[] jdkSeal(byte[] key, long counter, byte[] plaintext) throws Exception {
        byte[] nonce = new byte[12];
        Messages.putU64(nonce, 4, counter);
        Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
        return c.doFinal(plaintext);
    }

    @Test
    void matchesJdkForEveryLengthUpToThreeBlocksAndMtuSizes() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        int[] extra = {1023, 1024, 1200, 1279, 1280, 1296, 4000, 65_000};
        for (int i = 0; i < 200 + extra.length; i++) {
            int len = i < 200 ? i : extra[i - 200];
            byte[] key = new byte[32];
            random.nextBytes(key);
            long counter = i % 3 == 0 ? random.nextLong() : i;
            byte[] plaintext = new byte[len];
            random.nextBytes(plaintext);
            byte[] expected = jdkSeal(key, counter, plaintext);

            byte[] buf = new byte[5 + len + 16 + 3];
            System.arraycopy(plaintext, 0, buf, 5, len);
            assertEquals(len + 16, new ChaChaPoly(key).seal(counter, buf, 5, len));
            assertArrayEquals(expected, Arrays.copyOfRange(buf, 5, 5 + len + 16), "length " + len);

            ChaChaPoly opener = new ChaChaPoly(key);
            byte[] forged = buf.clone();
            forged[5 + random.nextInt(len + 16)] ^= (byte) (1 << random.nextInt(8));
            byte[] before = forged.clone();
            assertEquals(-1, opener.open(counter, forged, 5, len + 16));
            assertArrayEquals(before, forged, "a forged message is not decrypted");
            assertEquals(-1, opener.open(counter + 1, buf.clone(), 5, len + 16), "wrong nonce");
            assertEquals(len, opener.open(counter, buf, 5, len + 16));
            assertArrayEquals(plaintext, Arrays.copyOfRange(buf, 5, 5 + len));
        }
    }

    /** Poly1305's final reduction: tags whose accumulator lands near 2^130 - 5 (all-0xff blocks stress the carry). */
    @Test
    void edgeInputs() throws Exception {
        byte[] ones = new byte[32];
        Arrays.fill(ones, (byte) 0xff);
        for (byte[] key : new byte[][] {new byte[32], ones}) {
            for (int len : new int[] {0, 16, 64, 256}) {
                byte[] pt = new byte[len];
                Arrays.fill(pt, (byte) 0xff);
                byte[] buf = Arrays.copyOf(pt, len + 16);
                new ChaChaPoly(key).seal(-1L, buf, 0, len);
                assertArrayEquals(jdkSeal(key, -1L, pt), buf);
            }
        }
        assertEquals(-1, new ChaChaPoly(new byte[32]).open(0, new byte[15], 0, 15));
    }
}
