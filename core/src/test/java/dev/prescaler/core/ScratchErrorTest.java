package dev.prescaler.core;

import static dev.prescaler.core.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import dev.prescaler.core.journal.InMemoryJournal;
import org.junit.jupiter.api.Test;

class ScratchErrorTest {
  @Test
  void errorInPolicy() {
    TestClock clock = new TestClock(T0);
    FakeSource source = new FakeSource().set(WEB, 2, 2, "rps", 500).set(API, 2, 2, "rps", 500);
    InMemoryJournal journal = new InMemoryJournal();
    DecisionPolicy p = (ctx, pr) -> {
      if (ctx.workload().equals(WEB)) throw new AssertionError("boom");
      return pr;
    };
    AutoscalerEngine e = engine(clock, source, p, new RecordingExecutor(), journal)
        .workload(spec(WEB, 1, 10, Mode.ACT)).workload(spec(API, 1, 10, Mode.ACT)).build();
    Throwable t = null;
    try { e.tick(); } catch (Throwable x) { t = x; }
    System.out.println("SCRATCH thrown=" + t + " records=" + journal.records().size());
  }
}
