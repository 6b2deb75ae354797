package dev.switchboard.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Files that hold secrets (keys): created 0600 from the start and replaced atomically, never half-written. */
public final class PrivateFiles {
    private PrivateFiles() {
    }

    /** Writes {@code content} to {@code file}, replacing what is there. */
    public static void write(Path file, String content) throws IOException {
        Path temp = temp(file, content);
        try {
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Writes {@code content} to {@code file} unless the file exists; false when it did. Two processes that both
     * find no key (a server starting while {@code token create} runs, two {@code token create}s at once) must end
     * with one key, not each with its own and the second overwriting the first: the complete file is linked into
     * place, and link(2) fails atomically when the name exists.
     */
    public static boolean writeIfAbsent(Path file, String content) throws IOException {
        Path temp = temp(file, content);
        try {
            link(temp, file);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Links {@code temp} as {@code file}, or moves it where hard links are unsupported; both refuse an existing name. */
    private static void link(Path temp, Path file) throws IOException {
        try {
            Files.createLink(file, temp);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.move(temp, file);
        }
    }

    private static Path temp(Path file, String content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, ".secret", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temp, content, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }
}
