package io.divastream.jobs.embed;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.jobs.events.DeadLetterEvent;
import io.divastream.jobs.events.ImageSample;
import io.divastream.jobs.events.Role;
import io.divastream.schemas.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CatalogueDeadLettersTest {

    private static final ImageSample SAMPLE = new ImageSample("img-7", "Greek/character03", Role.TRAIN, new byte[1], 5);

    @Test
    void aFullCatalogueNamesTheSubtaskItsBoundAndTheOption() {
        DeadLetterEvent d = CatalogueDeadLetters.catalogueFull("diva.images", SAMPLE, 2, 500);
        assertThat(d.reason()).isEqualTo(DeadLetterReason.CATALOGUE_FULL.name());
        assertThat(d.topic()).isEqualTo("diva.images");
        assertThat(d.stage()).isEqualTo(CatalogueEmbedder.STAGE);
        assertThat(new String(d.key(), StandardCharsets.UTF_8)).isEqualTo("img-7");
        assertThat(d.message())
                .isEqualTo("image img-7 (Greek/character03) was not embedded: the catalogue of embedder"
                        + " subtask 2 holds its maximum of 500 images (--embedding.max-images-per-subtask)");
    }

    @Test
    void aChangedLabelNamesTheFirstLabelWhenItIsStillStored() {
        DeadLetterEvent d = CatalogueDeadLetters.labelChanged("diva.images", SAMPLE, "Korean/character01");
        assertThat(d.reason()).isEqualTo(DeadLetterReason.LABEL_CHANGED.name());
        assertThat(d.message())
                .isEqualTo(
                        "image img-7 arrived with the label Greek/character03, but it arrived first"
                                + " with the label Korean/character01: the first label stays (a new label needs a new image id)");
        assertThat(CatalogueDeadLetters.labelChanged("diva.images", SAMPLE, null)
                        .message())
                .contains("arrived first with another label:");
    }
}
