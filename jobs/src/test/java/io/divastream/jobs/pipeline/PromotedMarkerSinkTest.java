package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.artefacts.ArtefactStore;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.events.PromotionDecision;
import io.divastream.jobs.events.PromotionDecision.Kind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promoted version in the export directory: the writer hands the checkpoint the promoted version of the decisions
 * since the last one (nothing if it did not change), and only the committer, after the checkpoint completes, writes
 * the file; a committable replayed after a restore writes the same version again.
 */
class PromotedMarkerSinkTest {

    @TempDir
    Path tmp;

    private static PromotionDecision decision(long version, Kind kind, long promoted) {
        return new PromotionDecision(version, kind, promoted, -1, 0.5, 0.5, 100, 0.01, 100, "why", 0, 1L, "", false);
    }

    private static Committer.CommitRequest<Long> request(long version) {
        return new Committer.CommitRequest<>() {
            @Override
            public Long getCommittable() {
                return version;
            }

            @Override
            public int getNumberOfRetries() {
                return 0;
            }

            @Override
            public void signalFailedWithKnownReason(Throwable t) {}

            @Override
            public void signalFailedWithUnknownReason(Throwable t) {}

            @Override
            public void retryLater() {}

            @Override
            public void updateAndRetryLater(Long committable) {}

            @Override
            public void signalAlreadyCommitted() {}
        };
    }

    @Test
    void theMarkerFollowsCommittedDecisionsOnly() throws Exception {
        PromotedMarkerSink sink = new PromotedMarkerSink(new JobConfig.ExportConfig(tmp.toString(), 3));
        ArtefactStore store = new ArtefactStore(tmp);
        var writer = sink.createWriter(null);
        writer.write(decision(0, Kind.REFUSED, -1), null);
        assertThat(writer.prepareCommit()).as("nothing promoted yet").isEmpty();
        writer.write(decision(1, Kind.PROMOTED, 1), null);
        writer.write(decision(2, Kind.REFUSED, 1), null);
        writer.write(decision(3, Kind.PROMOTED, 3), null);
        assertThat(store.promoted()).as("not before the checkpoint completes").isEmpty();
        List<Long> committables = List.copyOf(writer.prepareCommit());
        assertThat(committables).containsExactly(3L);
        writer.write(decision(3, Kind.PINNED, 3), null);
        assertThat(writer.prepareCommit())
                .as("the promoted version did not change")
                .isEmpty();

        try (var committer = sink.createCommitter(null)) {
            committer.commit(List.of(request(3)));
            assertThat(store.promoted()).hasValue(3);
            committer.commit(List.of(request(3))); // replayed after a restore
            committer.commit(List.of(request(4), request(5)));
            assertThat(store.promoted()).hasValue(5);
        }

        var serializer = sink.getCommittableSerializer();
        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(7L)))
                .isEqualTo(7L);
        assertThatThrownBy(() -> serializer.deserialize(serializer.getVersion(), new byte[3]))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> new PromotedMarkerSink(JobConfig.ExportConfig.OFF))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
