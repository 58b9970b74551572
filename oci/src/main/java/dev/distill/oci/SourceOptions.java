package dev.distill.oci;

import dev.distill.oci.registry.RegistryOptions;

/**
 * How to pick an image out of a source.
 *
 * @param platform the platform to select from an index
 * @param platformExplicit whether the user asked for it; then a single-platform image of another platform is an
 *     error rather than taken as it is
 * @param registry how to reach registries
 */
public record SourceOptions(Platform platform, boolean platformExplicit, RegistryOptions registry) {
    public SourceOptions {
        if (platform == null) {
            platform = Platform.DEFAULT;
        }
        if (registry == null) {
            registry = RegistryOptions.defaults();
        }
    }

    public SourceOptions(Platform platform, boolean platformExplicit) {
        this(platform, platformExplicit, null);
    }

    public static SourceOptions defaults() {
        return new SourceOptions(Platform.DEFAULT, false, null);
    }

    public SourceOptions withRegistry(RegistryOptions r) {
        return new SourceOptions(platform, platformExplicit, r);
    }
}
