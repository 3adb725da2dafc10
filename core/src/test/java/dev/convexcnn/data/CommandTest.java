package dev.convexcnn.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The error messages of the external commands the fetcher runs, without running npm or apt-get. */
class CommandTest {
    @TempDir Path dir;

    @Test
    void missingProgramIsNamedWithTheCommand() {
        IOException e = assertThrows(IOException.class, () -> DatasetFetcher.runCommand(
                List.of("convexcnn-no-such-program", "pack", "x@1"), dir, "install it", "retry"));
        assertTrue(e.getMessage().contains("convexcnn-no-such-program could not be started"), e.getMessage());
        assertTrue(e.getMessage().contains("`convexcnn-no-such-program pack x@1`"), e.getMessage());
        assertTrue(e.getMessage().contains("install it"), e.getMessage());
    }

    @Test
    void failingCommandShowsExitCodeHintAndOutput() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh");
        IOException e = assertThrows(IOException.class, () -> DatasetFetcher.runCommand(
                List.of("/bin/sh", "-c", "echo E: Unable to locate package >&2; exit 100"), dir, "x",
                "run `apt-get update` first"));
        assertTrue(e.getMessage().contains("exit code 100"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get update"), e.getMessage());
        assertTrue(e.getMessage().contains("Unable to locate package"), e.getMessage());
        assertFalse(Files.exists(dir.resolve(".command-output")));
    }
}
