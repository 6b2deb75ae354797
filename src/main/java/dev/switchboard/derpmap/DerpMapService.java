package dev.switchboard.derpmap;

import dev.switchboard.config.HostPort;
import dev.switchboard.config.PublicListener;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.stun.StunLifecycle;
import dev.switchboard.tls.DevelopmentCertificate;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The DERP map being served: built at start-up (a bad map fails start-up), then kept current. The external file is
 * checked every second and the URL re-fetched every CODER_DERP_CONFIG_REFRESH; a changed valid map replaces the
 * old one and is pushed to subscribers, an invalid one is logged and ignored.
 */
@ApplicationScoped
public class DerpMapService {
    private static final Logger LOG = Logger.getLogger(DerpMapService.class);
    private static final long FILE_CHECK_MILLIS = 1000;

    private final SwitchboardConfig config;
    private final StunLifecycle stun;
    private final Vertx vertx;
    private final PublicListener listener;
    private final List<Consumer<DerpMap>> subscribers = new CopyOnWriteArrayList<>();
    private volatile DerpMap current;
    private DerpMapSettings settings;
    private DerpMapSource source;
    private FileTime lastModified;
    private long timer = -1;

    public DerpMapService(SwitchboardConfig config, StunLifecycle stun, Vertx vertx,
                          PublicListener listener) {
        this.config = config;
        this.stun = stun;
        this.vertx = vertx;
        this.listener = listener;
    }

    /** After the STUN responder (priority 1000) so its port can be advertised. */
    void start(@Observes @Priority(2000) StartupEvent event) throws IOException {
        settings = settings();
        source = DerpMapSource.of(config.derp().config().path(), config.derp().config().url());
        lastModified = modifiedTime();
        current = source.atStartup(() -> build(source.load()));
        LOG.infof("DERP map: %d regions%s", current.regions().size(),
                source.describe().isEmpty() ? "" : " (merged with " + source.describe() + ")");
        long interval = source instanceof DerpMapSource.File ? FILE_CHECK_MILLIS
                : config.derp().config().refresh().toMillis();
        if (!(source instanceof DerpMapSource.None)) {
            timer = vertx.setPeriodic(interval, id -> vertx.executeBlocking(this::refresh, false));
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** The map clients should use now. */
    public DerpMap current() {
        return current;
    }

    /** Calls {@code subscriber} with every new map; returns the action that unsubscribes. */
    public Runnable subscribe(Consumer<DerpMap> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    /** Re-reads the external map; runs on a worker thread. Public for tests that cannot wait for the timer. */
    public Void refresh() {
        try {
            if (source instanceof DerpMapSource.File) {
                FileTime modified = modifiedTime();
                if (modified != null && modified.equals(lastModified)) {
                    return null;
                }
                lastModified = modified;
            }
            DerpMap next = build(source.load());
            if (!next.sameAs(current)) {
                current = next;
                LOG.infof("DERP map updated from %s: %d regions", source.describe(), next.regions().size());
                subscribers.forEach(s -> s.accept(next));
            }
        } catch (IOException | InvalidDerpMapException e) {
            LOG.warnf("DERP map from %s rejected, keeping the current one: %s", source.describe(), e.getMessage());
        }
        return null;
    }

    private FileTime modifiedTime() throws IOException {
        if (source instanceof DerpMapSource.File file && Files.exists(file.path())) {
            return Files.getLastModifiedTime(file.path());
        }
        return null;
    }

    private DerpMap build(Optional<String> externalJson) {
        return DerpMapBuilder.build(settings, externalJson.map(DerpMapJson::read), source.describe());
    }

    private DerpMapSettings settings() {
        SwitchboardConfig.Derp.Server server = config.derp().server();
        OptionalInt stunPort = stun.localAddresses().filter(a -> !a.isEmpty())
                .map(a -> OptionalInt.of(a.get(0).getPort())).orElse(OptionalInt.empty());
        Optional<String> pin = config.tls().enable() && config.tls().certFile().isEmpty()
                ? DevelopmentCertificate.pin(config.configDir()) : Optional.empty();
        URI access = listener.accessUrl();
        if (pin.isPresent() && config.accessUrl().isEmpty()) {
            // The default access URL is the HTTP listener; with TLS on, clients belong on the HTTPS one.
            access = URI.create("https://" + HostPort.urlHost(listener.loopbackHost()) + ":"
                    + HostPort.parse("CODER_TLS_ADDRESS", config.tls().address()).port());
        }
        Optional<String> certName = "https".equalsIgnoreCase(access.getScheme()) ? pin : Optional.empty();
        certName.ifPresent(p -> LOG.infof("DERP map: the embedded node pins the development certificate (%s)", p));
        return new DerpMapSettings(access, server.enable(), server.regionId(), server.regionCode(),
                server.regionName(), stunAddresses(server.stunAddresses()), stunPort, config.blockDirect(), certName);
    }

    static List<String> stunAddresses(String value) {
        return HostPort.parseList("CODER_DERP_SERVER_STUN_ADDRESSES", value).stream().map(HostPort::toString).toList();
    }
}
