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

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        byte[] predicate = SlsaProvenance.fromEnvironment(main.env()).orElseThrow(() ->
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
