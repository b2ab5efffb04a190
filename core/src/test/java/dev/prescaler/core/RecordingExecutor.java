package dev.prescaler.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * An executor that records every request and release, applies requests to a replica map (so a
 * test can feed the counts back to its source), or answers with a custom function.
 */
class RecordingExecutor implements ScaleExecutor {
  final List<ScaleRequest> requests = new ArrayList<>();
  final List<WorkloadRef> released = new ArrayList<>();
  final Map<WorkloadRef, Integer> applied = new HashMap<>();
  Function<ScaleRequest, ScaleOutcome> answer =
      r -> ScaleOutcome.applied(r.to(), "set to " + r.to());

  @Override
  public ScaleOutcome apply(ScaleRequest request) {
    requests.add(request);
    ScaleOutcome o = answer.apply(request);
    if (o != null && o.isApplied()) {
      applied.put(request.workload(), request.to());
    }
    return o;
  }

  @Override
  public void release(WorkloadRef workload) {
    released.add(workload);
  }

  List<ScaleRequest> requestsFor(WorkloadRef w) {
    return requests.stream().filter(r -> r.workload().equals(w)).toList();
  }
}
