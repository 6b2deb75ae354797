package dev.switchboard.coordinator;

import dev.switchboard.coordinator.proto.CoordinateRequest;
import dev.switchboard.coordinator.proto.CoordinateResponse;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The process's coordinator, and the in-process coordination API for the server's own tailnet peer (which relays
 * web apps and the web terminal): it connects with the single-tailnet policy, so browser-only mode never applies.
 */
@ApplicationScoped
public class CoordinatorService {
    private final Coordinator coordinator = new Coordinator(Clock.systemUTC());

    public Coordinator coordinator() {
        return coordinator;
    }

    /** A peer living in this process. */
    public interface InProcessPeer extends AutoCloseable {
        /** Applies a request; a stream-ending error is thrown (and the peer is gone). */
        void send(CoordinateRequest request) throws CoordinationException;

        /** Ends the peer without {@code disconnect}: its tunnel peers see LOST. */
        @Override
        void close();
    }

    /**
     * Connects an in-process peer with the single-tailnet ("allow everything") policy. {@code responses} is called
     * under the coordinator lock and must not block.
     */
    public InProcessPeer connectInProcess(UUID id, String name, Consumer<CoordinateResponse> responses)
            throws CoordinationException {
        Peer peer = coordinator.connect(id, name, Authorizations.singleTailnet(), new PeerStream() {
            @Override
            public boolean offer(CoordinateResponse response) {
                responses.accept(response);
                return true;
            }

            @Override
            public void close(String error) {
                if (error != null) {
                    responses.accept(CoordinateResponse.newBuilder().setError(error).build());
                }
            }
        });
        return new InProcessPeer() {
            @Override
            public void send(CoordinateRequest request) throws CoordinationException {
                try {
                    coordinator.handle(peer, request);
                } catch (CoordinationException e) {
                    coordinator.lost(peer);
                    throw e;
                }
            }

            @Override
            public void close() {
                coordinator.lost(peer);
            }
        };
    }
}
