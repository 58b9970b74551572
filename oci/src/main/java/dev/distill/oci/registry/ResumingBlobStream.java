package dev.distill.oci.registry;

import dev.distill.oci.Digest;
import dev.distill.oci.ImageException;
import dev.distill.oci.Repository;
import dev.distill.oci.Streams;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;

/**
 * A blob download that survives connection resets: when reading fails midway it asks again from the byte it
 * reached ({@code Range}), a bounded number of times. Integrity is not its job: readers verify the digest.
 */
final class ResumingBlobStream extends InputStream {
    private static final int MAX_RESUMES = 3;

    private final RegistryClient client;
    private final Repository repo;
    private final Digest digest;
    private InputStream in;
    private long offset;
    private int resumes;

    ResumingBlobStream(RegistryClient client, Repository repo, Digest digest) throws IOException {
        this.client = client;
        this.repo = repo;
        this.digest = digest;
        this.in = client.guard(client.blobResponse(repo, digest, 0).body());
    }

    @Override
    public int read() throws IOException {
        return Streams.readOne(this);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (true) {
            try {
                int n = in.read(b, off, len);
                if (n > 0) {
                    offset += n;
                }
                return n;
            } catch (ImageException e) {
                throw e;
            } catch (IOException e) {
                if (++resumes > MAX_RESUMES) {
                    throw new RegistryException("registry " + repo.registry() + ", repository " + repo.name()
                            + ": blob " + digest + " broke off at byte " + offset + " " + MAX_RESUMES + " times: "
                            + e.getMessage(), e);
                }
                reopen();
            }
        }
    }

    private void reopen() throws IOException {
        try {
            in.close();
        } catch (IOException ignored) {
            // the old connection is gone anyway
        }
        HttpResponse<InputStream> r = client.blobResponse(repo, digest, offset);
        in = client.guard(r.body());
        if (r.statusCode() == 200 && offset > 0) {
            in.skipNBytes(offset); // the server ignored the range: skip what was already read

        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
