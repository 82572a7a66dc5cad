"""The development broker shows a worker only whole messages (kombu's own wrote them in place)."""


from kombu import Connection

from console.dev_broker import Transport


def _channel(folder):
    connection = Connection("filesystem://", transport=Transport, transport_options={
        "data_folder_in": str(folder), "data_folder_out": str(folder),
    })
    return connection, connection.default_channel


def test_a_message_appears_only_complete_and_a_half_written_one_is_never_taken(tmp_path):
    connection, channel = _channel(tmp_path)
    try:
        # A message still being written sits under a name the consumer does not take.
        (tmp_path / "1_half.celery.msg.part").write_bytes(b'{"body": "hal')
        assert channel._size("celery") == 0
        channel._put("celery", {"body": "whole"})
        assert sorted(p.suffix for p in tmp_path.iterdir()) == [".msg", ".part"]
        assert channel._size("celery") == 1
        assert channel._get("celery") == {"body": "whole"}
        assert [p.name for p in tmp_path.iterdir()] == ["1_half.celery.msg.part"]
    finally:
        connection.release()
