package dev.distill.attest.provenance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A SLSA provenance v1 predicate built from the CI environment the command runs in: GitHub Actions (the
 * {@code GITHUB_*} variables, with the workflow build type GitHub documents) or GitLab CI ({@code CI_*}). Only what
 * the environment states is recorded; nothing is guessed, and there is no provenance outside a known CI.
 */
public final class SlsaProvenance {
    public static final String PREDICATE_TYPE = "https://slsa.dev/provenance/v1";

    private SlsaProvenance() {
    }

    /** The predicate as JSON, or empty when the environment is no CI that distill knows. */
    public static Optional<byte[]> fromEnvironment(Map<String, String> env) {
        return fromEnvironment(env, null, null);
    }

    /**
     * As {@link #fromEnvironment(Map)}, with the build's start and finish times (either may be null). Without a
     * start time, GitLab's {@code CI_JOB_STARTED_AT} is used; GitHub states none. Nothing else is guessed: no
     * clock is read, so the same environment and times give the same bytes.
     */
    public static Optional<byte[]> fromEnvironment(Map<String, String> env, Instant startedOn, Instant finishedOn) {
        ObjectNode root;
        if ("true".equals(env.get("GITHUB_ACTIONS")) && env.get("GITHUB_REPOSITORY") != null) {
            root = github(env);
        } else if ("true".equals(env.get("GITLAB_CI")) && env.get("CI_PROJECT_URL") != null) {
            root = gitlab(env);
            if (startedOn == null && env.get("CI_JOB_STARTED_AT") != null) {
                try {
                    startedOn = java.time.OffsetDateTime.parse(env.get("CI_JOB_STARTED_AT")).toInstant();
                } catch (java.time.format.DateTimeParseException e) {
                    startedOn = null;
                }
            }
        } else {
            return Optional.empty();
        }
        if (startedOn != null || finishedOn != null) {
            ObjectNode run = (ObjectNode) root.get("runDetails");
            ObjectNode metadata = run.has("metadata") ? (ObjectNode) run.get("metadata") : run.putObject("metadata");
            if (startedOn != null) {
                metadata.put("startedOn", startedOn.toString());
            }
            if (finishedOn != null) {
                metadata.put("finishedOn", finishedOn.toString());
            }
        }
        return Optional.of(root.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static ObjectNode github(Map<String, String> env) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        String server = env.getOrDefault("GITHUB_SERVER_URL", "https://github.com");
        String repo = env.get("GITHUB_REPOSITORY");
        String workflowRef = env.get("GITHUB_WORKFLOW_REF"); // owner/repo/.github/workflows/x.yml@refs/heads/main
        ObjectNode def = root.putObject("buildDefinition");
        def.put("buildType", "https://actions.github.io/buildtypes/workflow/v1");
        ObjectNode workflow = def.putObject("externalParameters").putObject("workflow");
        put(workflow, "ref", env.get("GITHUB_REF"));
        workflow.put("repository", server + "/" + repo);
        if (workflowRef != null && workflowRef.startsWith(repo + "/") && workflowRef.contains("@")) {
            workflow.put("path", workflowRef.substring(repo.length() + 1, workflowRef.indexOf('@')));
        }
        ObjectNode gh = def.putObject("internalParameters").putObject("github");
        put(gh, "event_name", env.get("GITHUB_EVENT_NAME"));
        put(gh, "repository_id", env.get("GITHUB_REPOSITORY_ID"));
        put(gh, "repository_owner_id", env.get("GITHUB_REPOSITORY_OWNER_ID"));
        put(gh, "runner_environment", env.get("RUNNER_ENVIRONMENT"));
        if (env.get("GITHUB_SHA") != null) {
            ObjectNode dep = def.putArray("resolvedDependencies").addObject();
            dep.put("uri", "git+" + server + "/" + repo + (env.get("GITHUB_REF") == null ? ""
                    : "@" + env.get("GITHUB_REF")));
            dep.putObject("digest").put("gitCommit", env.get("GITHUB_SHA"));
        }
        ObjectNode run = root.putObject("runDetails");
        run.putObject("builder").put("id", server + "/" + (workflowRef != null ? workflowRef : repo));
        if (env.get("GITHUB_RUN_ID") != null) {
            run.putObject("metadata").put("invocationId", server + "/" + repo + "/actions/runs/"
                    + env.get("GITHUB_RUN_ID") + "/attempts/" + env.getOrDefault("GITHUB_RUN_ATTEMPT", "1"));
        }
        return root;
    }

    private static ObjectNode gitlab(Map<String, String> env) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        ObjectNode def = root.putObject("buildDefinition");
        def.put("buildType", "https://distill.invalid/buildtypes/gitlab-ci/v1");
        ObjectNode ext = def.putObject("externalParameters");
        ext.put("repository", env.get("CI_PROJECT_URL"));
        put(ext, "ref", env.get("CI_COMMIT_REF_NAME"));
        put(ext, "pipelineSource", env.get("CI_PIPELINE_SOURCE"));
        ObjectNode internal = def.putObject("internalParameters").putObject("gitlab");
        put(internal, "project_id", env.get("CI_PROJECT_ID"));
        put(internal, "runner_id", env.get("CI_RUNNER_ID"));
        if (env.get("CI_COMMIT_SHA") != null) {
            ObjectNode dep = def.putArray("resolvedDependencies").addObject();
            dep.put("uri", "git+" + env.get("CI_PROJECT_URL"));
            dep.putObject("digest").put("gitCommit", env.get("CI_COMMIT_SHA"));
        }
        ObjectNode run = root.putObject("runDetails");
        run.putObject("builder").put("id", env.getOrDefault("CI_SERVER_URL", env.get("CI_PROJECT_URL")) + "/runner/"
                + env.getOrDefault("CI_RUNNER_ID", "unknown"));
        if (env.get("CI_JOB_URL") != null) {
            run.putObject("metadata").put("invocationId", env.get("CI_JOB_URL"));
        }
        return root;
    }

    private static void put(ObjectNode node, String key, String value) {
        if (value != null && !value.isEmpty()) {
            node.put(key, value);
        }
    }
}
