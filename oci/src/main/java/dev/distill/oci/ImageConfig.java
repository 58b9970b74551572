package dev.distill.oci;

import dev.distill.oci.wire.ConfigTemplate;
import java.util.List;

/**
 * An image's configuration as the rest of distill sees it; the wire type ({@link ConfigTemplate}) is read and
 * translated once, in {@link Manifests}, and goes no further. A field the config does not give is null.
 *
 * @param created the creation time as written (RFC 3339), or null
 * @param hasRuntimeConfig whether the config has a runtime section ({@code config}) at all
 * @param exposedPorts the exposed ports' keys ({@code 8080/tcp}), in the config's order, or null
 * @param diffIds the layers' uncompressed digests as written, bottom first
 */
public record ImageConfig(String created, boolean hasRuntimeConfig, String user, List<String> env,
                          List<String> entrypoint, List<String> cmd, List<String> exposedPorts,
                          List<String> diffIds) {

    static ImageConfig of(ConfigTemplate t) {
        ConfigTemplate.RuntimeConfig rc = t.config();
        return new ImageConfig(t.created(), rc != null, rc == null ? null : rc.user(),
                rc == null ? null : rc.env(), rc == null ? null : rc.entrypoint(), rc == null ? null : rc.cmd(),
                rc == null || rc.exposedPorts() == null ? null : List.copyOf(rc.exposedPorts().keySet()),
                t.rootfs() == null ? null : t.rootfs().diffIds());
    }
}
