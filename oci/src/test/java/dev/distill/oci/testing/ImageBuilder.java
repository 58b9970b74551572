package dev.distill.oci.testing;

import dev.distill.oci.Digest;
import dev.distill.oci.MediaTypes;
import dev.distill.oci.Platform;
import dev.distill.oci.testing.LayerBuilder.BuiltLayer;
import dev.distill.oci.wire.ConfigTemplate;
import dev.distill.oci.wire.DescriptorTemplate;
import dev.distill.oci.wire.Json;
import dev.distill.oci.wire.ManifestTemplate;
import java.util.ArrayList;
import java.util.List;

/** Assembles layers into an image (config and OCI manifest), deterministically. */
public final class ImageBuilder {
    private final List<BuiltLayer> layers = new ArrayList<>();
    private Platform platform = Platform.DEFAULT;
    private String created = "2024-01-01T00:00:00Z";
    private String user;
    private List<String> entrypoint;
    private List<String> cmd;
    private List<String> env = List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

    public ImageBuilder layer(BuiltLayer layer) {
        layers.add(layer);
        return this;
    }

    public ImageBuilder platform(Platform p) {
        this.platform = p;
        return this;
    }

    public ImageBuilder created(String timestamp) {
        this.created = timestamp;
        return this;
    }

    public ImageBuilder user(String u) {
        this.user = u;
        return this;
    }

    public ImageBuilder entrypoint(String... args) {
        this.entrypoint = List.of(args);
        return this;
    }

    public ImageBuilder cmd(String... args) {
        this.cmd = List.of(args);
        return this;
    }

    public ImageBuilder env(String... vars) {
        this.env = List.of(vars);
        return this;
    }

    public BuiltImage build() {
        List<String> diffIds = new ArrayList<>();
        List<ConfigTemplate.History> history = new ArrayList<>();
        List<DescriptorTemplate> layerDescriptors = new ArrayList<>();
        for (BuiltLayer l : layers) {
            diffIds.add(l.diffId().toString());
            history.add(new ConfigTemplate.History(created, "distill fixture layer", null, null));
            layerDescriptors.add(new DescriptorTemplate(l.mediaType(), l.digest().toString(), l.blob().length));
        }
        ConfigTemplate config = new ConfigTemplate(created, null, platform.architecture(), platform.os(),
                platform.variant(),
                new ConfigTemplate.RuntimeConfig(user, env, entrypoint, cmd, null, null, null, null, null),
                new ConfigTemplate.RootFs("layers", diffIds), history);
        byte[] configBytes = Json.write(config);
        Digest configDigest = Digest.sha256(configBytes);
        ManifestTemplate manifest = new ManifestTemplate(2, MediaTypes.OCI_MANIFEST, null,
                new DescriptorTemplate(MediaTypes.OCI_CONFIG, configDigest.toString(), configBytes.length),
                layerDescriptors, null, null);
        byte[] manifestBytes = Json.write(manifest);
        return new BuiltImage(configBytes, configDigest, manifestBytes, Digest.sha256(manifestBytes),
                List.copyOf(layers), platform);
    }

    /** An image ready to write: config and manifest bytes with their digests, and the layers. */
    public record BuiltImage(byte[] config, Digest configDigest, byte[] manifest, Digest manifestDigest,
                             List<BuiltLayer> layers, Platform platform) {
    }
}
