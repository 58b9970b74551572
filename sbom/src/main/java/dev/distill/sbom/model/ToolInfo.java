package dev.distill.sbom.model;

/** The tool that wrote the SBOM. */
public record ToolInfo(String name, String version) {
}
