package org.cxrscreen.testsupport;

import io.smallrye.jwt.build.Jwt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;

/**
 * Development and test bearer tokens for the services' SmallRye JWT security: an RSA key pair kept in
 * a folder ({@code private.pem}, owner-only, and {@code public.pem}, which the services verify with),
 * and RS256 tokens signed with it by SmallRye JWT Build. Not for production, where an identity
 * provider issues the tokens.
 */
public final class DevTokens {

    /** The issuer the services expect ({@code mp.jwt.verify.issuer}). */
    public static final String ISSUER = "cxr-screening";

    private final Path dir;

    private DevTokens(Path dir) {
        this.dir = dir;
    }

    /** The key pair in {@code dir}, made there first when missing. */
    public static DevTokens in(Path dir) {
        Path privatePem = dir.resolve("private.pem");
        if (!Files.isRegularFile(privatePem)) {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                KeyPair pair = generator.generateKeyPair();
                Files.createDirectories(dir);
                Files.writeString(dir.resolve("public.pem"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
                Path partial = dir.resolve("private.pem.partial");
                Files.writeString(partial, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
                try {
                    Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system
                }
                Files.move(partial, privatePem, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the token keys to " + dir, e);
            }
        }
        return new DevTokens(dir);
    }

    /** The public key file the services verify tokens with. */
    public Path publicKey() {
        return dir.resolve("public.pem");
    }

    /** A token for {@code user} with {@code roles}, valid for {@code lifetime}. */
    public String token(String user, Duration lifetime, String... roles) {
        return Jwt.issuer(ISSUER).upn(user).subject(user).groups(Set.of(roles)).expiresIn(lifetime)
                .sign(privateKey());
    }

    private PrivateKey privateKey() {
        try {
            String pem = Files.readString(dir.resolve("private.pem"));
            String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder()
                    .decode(base64)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve("private.pem"), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("not an RSA private key: " + dir.resolve("private.pem"), e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
