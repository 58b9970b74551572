package dev.distill.oci.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** JSON shape of an image configuration (OCI and Docker share it). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConfigTemplate(
        @JsonProperty("created") String created,
        @JsonProperty("author") String author,
        @JsonProperty("architecture") String architecture,
        @JsonProperty("os") String os,
        @JsonProperty("variant") String variant,
        @JsonProperty("config") RuntimeConfig config,
        @JsonProperty("rootfs") RootFs rootfs,
        @JsonProperty("history") List<History> history) {

    /** The container's run-time defaults. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RuntimeConfig(
            @JsonProperty("User") String user,
            @JsonProperty("Env") List<String> env,
            @JsonProperty("Entrypoint") List<String> entrypoint,
            @JsonProperty("Cmd") List<String> cmd,
            @JsonProperty("WorkingDir") String workingDir,
            @JsonProperty("ExposedPorts") Map<String, Object> exposedPorts,
            @JsonProperty("Volumes") Map<String, Object> volumes,
            @JsonProperty("Labels") Map<String, String> labels,
            @JsonProperty("StopSignal") String stopSignal) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RootFs(
            @JsonProperty("type") String type,
            @JsonProperty("diff_ids") List<String> diffIds) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record History(
            @JsonProperty("created") String created,
            @JsonProperty("created_by") String createdBy,
            @JsonProperty("comment") String comment,
            @JsonProperty("empty_layer") Boolean emptyLayer) {
    }
}
