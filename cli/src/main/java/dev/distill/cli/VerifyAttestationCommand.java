package dev.distill.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.keys.EncryptedKeys;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill verify-attestation IMAGE --type T --key PUB}: exit 0 when a signed statement of type T is about it. */
@Command(name = "verify-attestation", mixinStandardHelpOptions = true,
        description = {"Verify an image's attestations of one predicate type with a public key: the envelope's "
                + "signature and payload type, the statement's subject (the image's digest, resolved once) and its "
                + "predicate type must all hold. Fails closed. Policies come with the verification issue."},
        footer = {"", "Example:", "  distill verify-attestation registry.example/app:1.0 --type spdx --key distill.pub"})
final class VerifyAttestationCommand implements Callable<Integer> {
    @Parameters(paramLabel = "IMAGE", description = "A registry reference (registry:REF or REF).")
    String image;

    @Option(names = "--type", paramLabel = "TYPE", required = true,
            description = "spdx, cyclonedx, slsaprovenance, custom, or a predicate type URI.")
    String type;

    @Option(names = "--key", paramLabel = "PUB", required = true, description = "The PEM public key.")
    Path key;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default), or json: the verified predicates.")
    String output;

    @CommandLine.Mixin
    RegistryMixin registry;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!output.equals("text") && !output.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown output '" + output + "'");
        }
        ImageReference ref = SignCommand.reference(image, spec.commandLine());
        String predicateType;
        try {
            predicateType = ImageAttestations.predicateType(type);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        var publicKey = EncryptedKeys.readPublicKey(Files.readString(key, StandardCharsets.US_ASCII), key.toString());
        RegistryClient client = registry.client();
        var verified = ImageAttestations.verify(client, ref, publicKey, predicateType);
        var out = spec.commandLine().getOut();
        if (output.equals("json")) {
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            out.println(m.writeValueAsString(verified.stream().map(v -> v.predicate()).toList()));
        } else {
            out.println("Verified OK: " + verified.size() + " attestation" + (verified.size() == 1 ? "" : "s")
                    + " of type " + predicateType + " about " + ref.registry() + "/" + ref.repository() + "@"
                    + verified.get(0).image());
        }
        out.flush();
        return Main.OK;
    }
}
