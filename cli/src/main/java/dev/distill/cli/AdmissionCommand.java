package dev.distill.cli;

import dev.distill.admission.AdmissionConfig;
import dev.distill.admission.AdmissionServer;
import dev.distill.admission.Signers;
import dev.distill.oci.registry.CredentialStore;
import dev.distill.oci.registry.RegistryOptions;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distill admission --policy FILE... --tls-cert CERT --tls-key KEY}: the Kubernetes admission webhook. It
 * builds the server (the admission module's front door) and serves until SIGTERM or SIGINT, when a shutdown hook
 * stops it gracefully. One JSON log line per event on standard output.
 */
@Command(name = "admission", mixinStandardHelpOptions = true,
        description = {"Serve a Kubernetes admission webhook over TLS: POST /validate admits a workload only when "
                + "every image passes the policies (the same gate as verify-attestation --policy), POST /mutate "
                + "also pins each image to the digest verified; /healthz, /readyz and /metrics. Decisions are "
                + "cached per digest and policy; the policy files, the keys and trusted roots they name, --key or --trusted-root and the TLS files are reloaded when they change. Fails closed. "
                + "Runs until SIGTERM or SIGINT; one JSON log line per decision on standard output. "
                + "See docs/admission.md."},
        footer = {"", "Examples:",
                "  distill admission --policy /etc/distill/policy.yaml --tls-cert /tls/tls.crt --tls-key /tls/tls.key "
                + "--key /etc/distill/release.pub",
                "  distill admission --policy base.yaml --policy payments.yaml --tls-cert tls.crt --tls-key tls.key "
                + "--key release.pub --listen 127.0.0.1:8443 --deadline 8s --docker-config /var/run/distill/docker"})
final class AdmissionCommand implements Callable<Integer> {
    @Option(names = "--policy", paramLabel = "FILE", required = true,
            description = "A policy (YAML), as for verify-attestation --policy; give it again for more. An image "
                    + "no policy covers is denied.")
    List<Path> policies;

    @Option(names = "--tls-cert", paramLabel = "CERT", required = true,
            description = "The server's PEM certificate chain (reloaded when it changes).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "KEY", required = true,
            description = "Its unencrypted PEM private key (PKCS#8, SEC1 or PKCS#1).")
    Path tlsKey;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:8443",
            description = "Where to listen (default: 0.0.0.0:8443; port 0 picks a free one).")
    String listen;

    @Option(names = "--deadline", paramLabel = "D", defaultValue = "10s",
            description = "Answer every review within this (10s, 2500ms, 1m; default 10s); keep it below the "
                    + "webhook's timeoutSeconds. An image not verified in time is denied.")
    String deadline;

    @Option(names = "--key", paramLabel = "PUB",
            description = "The PEM public key attestations must be signed with (or the keyless options).")
    Path key;

    @CommandLine.Mixin
    IdentityMixin who;

    @Option(names = "--docker-config", paramLabel = "DIR",
            description = "A directory holding docker's config.json with registry credentials (a mounted "
                    + "dockerconfigjson Secret). Default: $DOCKER_CONFIG, else ~/.docker.")
    Path dockerConfig;

    @Option(names = "--cache-ttl", paramLabel = "D", defaultValue = "5m",
            description = "How long a decision is reused (default 5m).")
    String cacheTtl;

    @Option(names = "--cache-size", paramLabel = "N", defaultValue = "10000",
            description = "At most this many decisions are cached (default 10000).")
    long cacheSize;

    @Option(names = "--tag-ttl", paramLabel = "D", defaultValue = "30s",
            description = "How long an image tag's resolution to a digest is reused (default 30s; 0 resolves the "
                    + "tag on every review). A tag moved in the registry is noticed only after this; /mutate pins "
                    + "the digest that was verified.")
    String tagTtl;

    @Option(names = "--reload-interval", paramLabel = "D", defaultValue = "10s",
            description = "How often the policy files, the key files and trusted roots they or --key / "
                    + "--trusted-root name, and the TLS files are looked at for changes (default 10s). New contents "
                    + "are loaded and checked first (a bad file keeps the old and is logged); decisions made under "
                    + "the old contents are not used again.")
    String reloadInterval;

    @Option(names = "--max-in-flight", paramLabel = "N", defaultValue = "64",
            description = "Reviews handled at once; more are answered 429 (default 64).")
    int maxInFlight;

    @Option(names = "--shutdown-grace", paramLabel = "D", defaultValue = "15s",
            description = "On SIGTERM, how long reviews in flight may take to finish (default 15s).")
    String shutdownGrace;

    @CommandLine.Mixin
    RegistryMixin registry;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        // The server reads the key or trusted root itself, with the policies, and again when they change.
        Signers signers = who.keyless(key, cl) ? Signers.identity(who.identity(), who.trustedRoot)
                : Signers.key(key);
        PrintWriter out = cl.getOut();
        AdmissionConfig config;
        try {
            config = AdmissionConfig.builder(policies, tlsCert, tlsKey, signers)
                    .listen(address(listen, cl)).deadline(duration(deadline, "--deadline", cl))
                    .reloadInterval(duration(reloadInterval, "--reload-interval", cl))
                    .cache(duration(cacheTtl, "--cache-ttl", cl), cacheSize).tagTtl(duration(tagTtl, "--tag-ttl", cl))
                    .maxInFlight(maxInFlight)
                    .shutdownGrace(duration(shutdownGrace, "--shutdown-grace", cl)).registry(registryOptions())
                    .log(line -> {
                        synchronized (out) {
                            out.println(line);
                            out.flush();
                        }
                    }).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        AdmissionServer server = AdmissionServer.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM and SIGINT run the shutdown hooks: not ready, reviews in flight finish, then the JVM exits.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "distill-admission-shutdown"));
        stopped.await();
        return Main.OK;
    }

    private RegistryOptions registryOptions() {
        Map<String, String> env = new HashMap<>(main.env());
        if (dockerConfig != null) {
            env.put("DOCKER_CONFIG", dockerConfig.toString());
        }
        return RegistryOptions.defaults().withInsecureHosts(Set.copyOf(registry.insecure))
                .withTimeout(Duration.ofSeconds(Math.max(1, registry.timeoutSeconds)))
                .withCredentials(CredentialStore.fromEnvironment(env));
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)?");

    /** 2500ms, 10s, 5m, or a number of seconds. */
    static Duration duration(String text, String option, CommandLine cl) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new CommandLine.ParameterException(cl, option + " is a duration such as 10s, 2500ms or 5m, not '"
                    + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /** HOST:PORT, [v6]:PORT or :PORT (every address). */
    static InetSocketAddress address(String text, CommandLine cl) {
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? "" : text.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (colon < 0 || port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(cl, "--listen is HOST:PORT, not '" + text + "'");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }
}
