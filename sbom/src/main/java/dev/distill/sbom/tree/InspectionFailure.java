package dev.distill.sbom.tree;

/** A content inspector failed on a file in a way it did not foresee; its cataloger reports an unknown. */
public record InspectionFailure(String inspector, String message) {
}
