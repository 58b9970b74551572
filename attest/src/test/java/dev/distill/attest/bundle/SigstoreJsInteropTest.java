package dev.distill.attest.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.distill.attest.keys.EncryptedKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sigstore-js (npm {@code @sigstore/verify}) verifies the bundles distill writes, from the other side: the
 * format, the digest and the signature are what the Sigstore clients expect. ./run-tests installs the packages.
 */
class SigstoreJsInteropTest {
    private static final String SCRIPT = """
            const { bundleFromJSON } = require('@sigstore/bundle');
            const { Verifier, toSignedEntity } = require('@sigstore/verify');
            const crypto = require('crypto');
            const fs = require('fs');
            const [bundlePath, artifactPath, pubPath] = process.argv.slice(2);
            const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
            const key = crypto.createPublicKey(fs.readFileSync(pubPath));
            const trust = { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [],
              publicKey: () => ({ publicKey: key, validFor: () => true }) };
            new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, tsaThreshold: 0 })
              .verify(toSignedEntity(bundle, fs.readFileSync(artifactPath)));
            console.log('verified');
            """;

    @TempDir
    Path tmp;

    @Test
    void sigstoreJsVerifiesOurBundlesAndRejectsATamperedArtifact() throws Exception {
        Path modules = Path.of(System.getProperty("distill.node.modules", "../test-deps/node/node_modules"));
        if (!Files.isDirectory(modules.resolve("@sigstore/verify"))) {
            fail("@sigstore/verify is not installed under " + modules + "; run ./run-tests");
        }
        KeyPair pair = EncryptedKeys.generate();
        byte[] artifact = "{\"spdxVersion\":\"SPDX-2.3\"}\n".getBytes(StandardCharsets.UTF_8);
        Path art = Files.write(tmp.resolve("artifact.json"), artifact);
        Path bundle = Files.writeString(tmp.resolve("artifact.sigstore.json"),
                BlobSignatures.sign(pair.getPrivate(), pair.getPublic(), artifact));
        Path pub = Files.writeString(tmp.resolve("key.pub"), EncryptedKeys.publicKeyPem(pair.getPublic()));
        Path script = Files.writeString(tmp.resolve("verify.js"), SCRIPT);
        assertEquals(0, node(modules, script, bundle, art, pub), "sigstore-js accepts the bundle");
        Path other = Files.writeString(tmp.resolve("other.json"), "{\"spdxVersion\":\"SPDX-2.2\"}\n");
        assertNotEquals(0, node(modules, script, bundle, other, pub), "and refuses another artifact");
    }

    private int node(Path modules, Path script, Path bundle, Path artifact, Path pub) throws Exception {
        Path log = Files.createTempFile(tmp, "node", ".log");
        ProcessBuilder pb = new ProcessBuilder("node", script.toString(), bundle.toString(), artifact.toString(),
                pub.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("NODE_PATH", modules.toAbsolutePath().toString());
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "node finished");
            return p.exitValue();
        } finally {
            p.destroyForcibly();
        }
    }
}
