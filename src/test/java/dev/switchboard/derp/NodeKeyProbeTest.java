package dev.switchboard.derp;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class NodeKeyProbeTest {

    @Test
    void findsTheKeyStillInAFrameInBothMapKinds() {
        NodeKey a = NodePrivateKey.generate().publicKey();
        NodeKey b = NodePrivateKey.generate().publicKey();
        Buffer frame = Buffer.buffer("xyz").appendBytes(b.toBytes()).appendBytes(a.toBytes());
        for (Map<NodeKey, String> map : List.<Map<NodeKey, String>>of(new HashMap<>(), new ConcurrentHashMap<>())) {
            map.put(a, "a");
            map.put(b, "b");
            NodeKeyProbe probe = new NodeKeyProbe();
            assertEquals("b", map.get(probe.at(frame, 3)));
            assertEquals("a", map.get(probe.at(frame, 3 + DerpLimits.KEY_LEN)), "re-aimed");
            assertNull(map.get(probe.at(frame, 4)), "a range that is no key");
        }
    }

    @Test
    void hasTheKeysHashAndCopiesItOut() {
        NodeKey key = NodePrivateKey.generate().publicKey();
        Buffer frame = Buffer.buffer(new byte[7]).appendBytes(key.toBytes());
        NodeKeyProbe probe = new NodeKeyProbe().at(frame, 7);
        assertEquals(key.hashCode(), probe.hashCode());
        assertEquals(key, probe.toKey());
        NodeKey ones = NodeKey.of(new byte[]{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1});
        assertEquals(ones.hashCode(), new NodeKeyProbe().at(Buffer.buffer(ones.toBytes()), 0).hashCode(),
                "signed bytes hash as Arrays.hashCode does");
    }
}
