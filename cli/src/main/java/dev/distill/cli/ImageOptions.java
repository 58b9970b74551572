package dev.distill.cli;

import dev.distill.oci.Platform;
import dev.distill.oci.SourceOptions;
import dev.distill.oci.registry.RegistryOptions;
import dev.distill.sbom.tree.TreeLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options every command that reads an image shares: platform selection and the safety limits. */
final class ImageOptions {
    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", converter = PlatformConverter.class,
            description = "Platform to pick from a multi-platform image (default: linux/amd64).")
    Platform platform;

    @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
            description = "Speak plain http to this registry (loopback registries always may); repeatable.")
    List<String> insecureRegistries = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Longest wait to connect to a registry or for its answer (default: 60).")
    int timeoutSeconds;

    @Option(names = "--max-total-bytes", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Uncompressed bytes over all layers (default: 64G).")
    Long maxTotalBytes;

    @Option(names = "--max-entries", paramLabel = "N", description = "Entries over all layers (default: 10000000).")
    Long maxEntries;

    @Option(names = "--max-file-size", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Size of one file (default: 16G).")
    Long maxFileSize;

    @Option(names = "--max-path-length", paramLabel = "N", description = "Characters of one path (default: 4096).")
    Integer maxPathLength;

    @Option(names = "--max-symlink-hops", paramLabel = "N",
            description = "Symlinks followed resolving one path (default: 40).")
    Integer maxSymlinkHops;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    SourceOptions sourceOptions() {
        SourceOptions base = platform == null ? SourceOptions.defaults() : new SourceOptions(platform, true);
        return base.withRegistry(RegistryOptions.defaults().withInsecureHosts(Set.copyOf(insecureRegistries))
                .withTimeout(Duration.ofSeconds(Math.max(1, timeoutSeconds)))
                .withCredentials(RegistryMixin.credentials(mixee)));
    }

    TreeLimits limits() {
        TreeLimits l = TreeLimits.DEFAULT;
        if (maxTotalBytes != null) {
            l = l.withMaxTotalBytes(maxTotalBytes);
        }
        if (maxEntries != null) {
            l = l.withMaxEntries(maxEntries);
        }
        if (maxFileSize != null) {
            l = l.withMaxFileSize(maxFileSize);
        }
        if (maxPathLength != null) {
            l = l.withMaxPathLength(maxPathLength);
        }
        if (maxSymlinkHops != null) {
            l = l.withMaxSymlinkHops(maxSymlinkHops);
        }
        return l;
    }

    static final class PlatformConverter implements CommandLine.ITypeConverter<Platform> {
        @Override
        public Platform convert(String value) {
            try {
                return Platform.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Sizes like 512, 64K, 10M, 2G, 1T (binary multiples). */
    static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String v = value.trim().toUpperCase(Locale.ROOT);
            long unit = 1;
            if (!v.isEmpty() && "KMGT".indexOf(v.charAt(v.length() - 1)) >= 0) {
                unit = 1L << (10 * ("KMGT".indexOf(v.charAt(v.length() - 1)) + 1));
                v = v.substring(0, v.length() - 1);
            }
            try {
                long n = Long.parseLong(v);
                if (n <= 0) {
                    throw new NumberFormatException();
                }
                return Math.multiplyExact(n, unit);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a size (e.g. 512M, 64G)");
            }
        }
    }
}
