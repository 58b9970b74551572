package dev.distill.cli;

import dev.distill.attest.provenance.SlsaProvenance;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distill provenance [-o FILE]}: a SLSA provenance v1 predicate from the CI environment. */
@Command(name = "provenance", mixinStandardHelpOptions = true,
        description = {"Write a SLSA provenance v1 predicate built from the CI environment this runs in (GitHub "
                + "Actions or GitLab CI): builder id, build type, external parameters (repository, ref, workflow), "
                + "the source commit as a resolved dependency, the invocation id. Only what the environment states "
                + "is recorded. Attest it with: distill attest IMAGE --type slsaprovenance --predicate FILE."},
        footer = {"", "Example:", "  distill provenance -o provenance.json"})
final class ProvenanceCommand implements Callable<Integer> {
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write here (default: standard output).")
    Path output;

    @Option(names = "--started-on", paramLabel = "TIME",
            description = "When the build started (RFC 3339, e.g. 2026-11-29T10:00:00Z). Default on GitLab CI: "
                    + "CI_JOB_STARTED_AT; GitHub Actions states none.")
    String startedOn;

    @Option(names = "--finished-on", paramLabel = "TIME", description = "When the build finished (RFC 3339).")
    String finishedOn;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private java.time.Instant time(String value, String option) {
        if (value == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(value).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " '" + value
                    + "' is not an RFC 3339 time (like 2026-11-29T10:00:00Z)");
        }
    }

    @Override
    public Integer call() throws Exception {
        main.feedback().step("read", "the CI environment", 1, 1);
        byte[] predicate = SlsaProvenance.fromEnvironment(main.env(), time(startedOn, "--started-on"),
                time(finishedOn, "--finished-on")).orElseThrow(() ->
                new java.io.IOException("no CI environment to build provenance from: GitHub Actions "
                        + "(GITHUB_ACTIONS, GITHUB_REPOSITORY) or GitLab CI (GITLAB_CI, CI_PROJECT_URL)"));
        if (output == null) {
            spec.commandLine().getOut().println(new String(predicate, java.nio.charset.StandardCharsets.UTF_8));
            spec.commandLine().getOut().flush();
        } else {
            AtomicFiles.write(output, o -> o.write(predicate));
        }
        return Main.OK;
    }
}
