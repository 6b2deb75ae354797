package dev.switchboard.derp.client;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CertNameTest {
    @Test
    void aNameIsVerifiedAndAPinIsNot() {
        assertEquals(Optional.of("relay.example.net"), new CertName("relay.example.net").serverName());
        assertTrue(new CertName("relay.example.net").pin().isEmpty());
        CertName pin = new CertName("sha256-raw:" + "0a".repeat(32));
        assertTrue(pin.serverName().isEmpty());
        assertEquals(32, pin.pin().orElseThrow().length);
        assertEquals(10, pin.pin().orElseThrow()[31]);
    }

    @Test
    void onlyADifferentNameIsKept() {
        assertEquals(Optional.empty(), CertName.forNode("", "derp.example.com"));
        assertEquals(Optional.empty(), CertName.forNode(null, "derp.example.com"));
        assertEquals(Optional.empty(), CertName.forNode("derp.example.com", "derp.example.com"));
        assertEquals(Optional.of(new CertName("other.example.com")), CertName.forNode("other.example.com", "derp.example.com"));
    }

    @Test
    void aMalformedPinIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CertName("sha256-raw:00"));
        assertThrows(IllegalArgumentException.class, () -> new CertName("sha256-raw:" + "zz".repeat(32)));
        assertThrows(IllegalArgumentException.class, () -> new CertName(" "));
    }
}
