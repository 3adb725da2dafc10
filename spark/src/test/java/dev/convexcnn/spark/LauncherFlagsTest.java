package dev.convexcnn.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The launcher and the tests must give Spark the same JVM flags: one list, kept in two places, checked here. */
class LauncherFlagsTest {
    @Test
    void launcherAndSurefirePassTheSameAddOpens() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        String launcher = Files.readString(Path.of("convexcnn-spark"));
        Matcher p = Pattern.compile("<spark.jvm.opens>(.*)</spark.jvm.opens>").matcher(pom);
        Matcher l = Pattern.compile("(?m)^opens=\"(.*)\"$").matcher(launcher);
        assertTrue(p.find() && l.find(), "both lists must be there");
        assertEquals(p.group(1).strip(), l.group(1).strip());
        assertTrue(p.group(1).contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"));
    }
}
