package example;

import io.edgellm.GenerationResult;
import io.edgellm.Model;
import io.edgellm.SamplingParams;
import io.edgellm.Session;
import io.edgellm.SessionOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/** README.md's Java API snippet, as a program: {@code Main MODEL.gguf} (skips when the file is absent). */
public class Main {
    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !Files.isRegularFile(Path.of(args[0]))) {
            System.err.println("consumer: no model at " + (args.length == 0 ? "(none given)" : args[0]) + ", skipped");
            return;
        }
        try (Model model = Model.load(Path.of(args[0]));
             Session session = model.newSession(SessionOptions.defaults().withContextLength(2048))) {
            GenerationResult r = session.generate("Once upon a time", SamplingParams.greedy().withMaxNewTokens(64),
                    (id, text) -> System.out.print(text));
            System.err.print(r.timings().format());
        }
    }
}
