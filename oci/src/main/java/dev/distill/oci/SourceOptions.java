package dev.distill.oci;

/**
 * How to pick an image out of a source.
 *
 * @param platform the platform to select from an index
 * @param platformExplicit whether the user asked for it; then a single-platform image of another platform is an
 *     error rather than taken as it is
 */
public record SourceOptions(Platform platform, boolean platformExplicit) {
    public SourceOptions {
        if (platform == null) {
            platform = Platform.DEFAULT;
        }
    }

    public static SourceOptions defaults() {
        return new SourceOptions(Platform.DEFAULT, false);
    }
}
