-- Image metadata as the ingest published it (no pixels yet), keyed by image id.
create table images (
    image_id         varchar(64)  primary key,
    source           varchar(64)  not null,
    study_id         varchar(128),
    instance_id      varchar(128),
    modality         varchar(16),
    view_position    varchar(16),
    original_format  varchar(16),
    original_width   integer      not null,
    original_height  integer      not null,
    width            integer      not null,
    height           integer      not null,
    received_at      timestamptz  not null,
    stored_at        timestamptz  not null default now()
);

-- One prediction per image and model version: a redelivered or duplicated event changes nothing.
create table predictions (
    id                 bigserial        primary key,
    image_id           varchar(64)      not null,
    model_name         varchar(128)     not null,
    model_version      varchar(128)     not null,
    label              varchar(16)      not null,
    p_covid19          double precision not null,
    p_normal           double precision not null,
    p_pneumonia        double precision not null,
    worker             varchar(256),
    inference_millis   double precision,
    image_received_at  timestamptz,
    predicted_at       timestamptz      not null,
    event_id           uuid             not null,
    stored_at          timestamptz      not null default now(),
    constraint predictions_image_model unique (image_id, model_version)
);

create index predictions_predicted_at on predictions (predicted_at desc, id desc);
create index predictions_label on predictions (label);
