package dev.switchboard.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/**
 * A {@code switchboard} command line for in-process tests: the tailnet commands read {@code env} instead of the
 * process environment and leave the JVM's signal handlers alone; every command made is added to {@code made}, so a
 * test can stop a long-running one.
 */
final class TestCommandLine {
    private TestCommandLine() {
    }

    static CommandLine create(Map<String, String> env, StringWriter out, StringWriter err, List<Object> made) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine cl = new CommandLine(new SwitchboardCommand(), new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K command = defaults.create(type);
                switch (command) {
                    case AgentCommand a -> {
                        a.env = env;
                        a.handleSigterm = false;
                    }
                    case PingCommand p -> {
                        p.env = env;
                        p.handleSigint = false;
                    }
                    case SpeedtestCommand s -> s.env = env;
                    case PortForwardCommand f -> {
                        f.env = env;
                        f.handleSignals = false;
                    }
                    default -> { }
                }
                made.add(command);
                return command;
            }
        });
        cl.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return cl;
    }

    /** The first command of {@code type} made so far. */
    static <T> T made(List<Object> made, Class<T> type) {
        return made.stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
    }
}
