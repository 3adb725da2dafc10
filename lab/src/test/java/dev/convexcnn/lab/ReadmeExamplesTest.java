package dev.convexcnn.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles the README's Java examples against core and runs them on synthetic CIFAR files. */
class ReadmeExamplesTest {
    @TempDir Path dir;

    static String example(String name) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = Pattern.compile("<!-- example: " + name + " -->\\s*```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "README has no example " + name);
        return m.group(1);
    }

    /** Compiles the example and runs its main with args, returning what it printed. */
    String compileAndRun(String name, String... args) throws Exception {
        Path src = dir.resolve("src").resolve(name + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, example(name));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        List<String> cp = new ArrayList<>();
        for (Class<?> c : new Class<?>[] {Compare.class, dev.convexcnn.method.Method.class, com.google.gson.JsonObject.class}) {
            cp.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        int rc = javac.run(null, null, diag, "--release", "17", "-cp", String.join(File.pathSeparator, cp), "-d", classes.toString(), src.toString());
        assertEquals(0, rc, diag.toString(StandardCharsets.UTF_8));
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            loader.loadClass(name).getMethod("main", String[].class).invoke(null, (Object) args);
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void trainAndCertifyCompilesRunsAndSavesBothModels() throws Exception {
        String data = "cifar10:" + SyntheticCifar.write(dir.resolve("cifar"), 30, 60, 9);
        String printed = compileAndRun("TrainAndCertify", data, dir.resolve("out").toString(), "20");
        assertTrue(printed.contains("sgd: test accuracy") && printed.contains("convex-relu: augmented-Lagrangian stationarity"), printed);
        assertTrue(printed.contains(", reached)"), printed);
        assertTrue(Files.exists(dir.resolve("out/sgd.cnn")) && Files.exists(dir.resolve("out/convex-relu.cnn")));
    }

    @Test
    void compareAllCompilesRunsAndWritesTheReport() throws Exception {
        String data = "cifar10:" + SyntheticCifar.write(dir.resolve("cifar"), 12, 30, 4);
        // Three quick methods here: CompareTest runs every method.
        String printed = compileAndRun("CompareAll", data, dir.resolve("cmp").toString(), "60", "sgd,adam,alternation");
        for (String m : List.of("sgd", "adam", "alternation")) assertTrue(printed.contains(m), m + " missing from\n" + printed);
        assertTrue(Files.exists(dir.resolve("cmp/report.html")) && Files.exists(dir.resolve("cmp/runs/sgd-seed2.json")), printed);
    }
}
