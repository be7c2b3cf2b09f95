package io.divastream.jobs.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.kafka.RawRecord;
import io.divastream.connectors.kafka.RecordSizeLimit;
import io.divastream.jobs.events.DeadLetterEvent;
import io.divastream.jobs.events.OperatorCommand;
import io.divastream.schemas.DeadLetterReason;
import io.divastream.schemas.PromotionAction;
import io.divastream.schemas.PromotionCommand;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** Operators' commands decoded from the commands topic; anything else is a dead letter, never a failure. */
class CommandDecoderTest {

    private static final AvroCodec<PromotionCommand> CODEC = AvroCodec.of(PromotionCommand.class);

    private static byte[] command(String id, PromotionAction action, long version, String reason) {
        return CODEC.encode(PromotionCommand.newBuilder()
                .setCommandId(id)
                .setAction(action)
                .setModelVersion(version)
                .setIssuedBy("ops")
                .setReason(reason)
                .setIssuedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .build());
    }

    @Test
    void commandsPassAndEverythingElseIsADeadLetter() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forProcessFunction(
                new CommandDecoder(new RecordSizeLimit(RecordSizeLimit.KAFKA_DEFAULT)))) {
            byte[][] values = {
                command("c-1", PromotionAction.ROLLBACK, 4, "bad wave"),
                "pin 4".getBytes(StandardCharsets.UTF_8),
                null,
                command("", PromotionAction.PIN, 4, ""),
                command("x".repeat(201), PromotionAction.PIN, 4, ""),
                command("c-2", PromotionAction.UNPIN, -1, "r".repeat(1001)),
                command("c-3", PromotionAction.UNPIN, -1, "")
            };
            for (int i = 0; i < values.length; i++) {
                h.processElement(new RawRecord("cmds", 0, i, null, values[i], 0L), 0);
            }
            assertThat(h.extractOutputValues())
                    .containsExactly(
                            new OperatorCommand(
                                    "c-1", OperatorCommand.Action.ROLLBACK, 4, "ops", "bad wave", 1_700_000_000_000L),
                            new OperatorCommand(
                                    "c-3", OperatorCommand.Action.UNPIN, -1, "ops", "", 1_700_000_000_000L));
            List<DeadLetterEvent> letters = new ArrayList<>();
            for (StreamRecord<DeadLetterEvent> r : h.getSideOutput(CommandDecoder.DEAD_LETTERS)) {
                letters.add(r.getValue());
            }
            assertThat(letters).extracting(DeadLetterEvent::offset).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(letters).allSatisfy(l -> {
                assertThat(l.reason()).isEqualTo(DeadLetterReason.UNDECODABLE_RECORD.name());
                assertThat(l.stage()).isEqualTo(CommandDecoder.STAGE);
                assertThat(l.topic()).isEqualTo("cmds");
            });
            assertThat(letters.get(0).message()).startsWith("not a promotion command: not an Avro single-object");
            assertThat(letters.get(2).message()).contains("1 to 200 characters");
            assertThat(letters.get(4).message()).contains("at most 1000 characters");
        }
    }
}
