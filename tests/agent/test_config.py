"""Configuration: the demo works with no file; bad values fail at start-up naming where, what and how to fix."""

from pathlib import Path

import pytest

from agent.config import DEMO_KNOWLEDGE, load_config
from agent.errors import ConfigError


def test_no_file_gives_the_demo_bakery():
    config = load_config(environ={})
    assert config.business.name == "Crumb & Co. Bakery"
    assert config.llm.provider == "local"
    assert config.knowledge.sources == [DEMO_KNOWLEDGE]


def test_environment_overrides_file(tmp_path: Path):
    path = tmp_path / "tactful.yaml"
    path.write_text("llm:\n  provider: scripted\n  timeout_s: 5\nbusiness:\n  name: Petal Florist\n")
    config = load_config(path, environ={"TACTFUL_LLM__PROVIDER": "extractive"})
    assert config.llm.provider == "extractive"
    assert config.llm.timeout_s == 5
    assert config.business.name == "Petal Florist"
    assert config.collection_name == "petal-florist"


def test_relative_paths_are_relative_to_the_file(tmp_path: Path):
    path = tmp_path / "shop" / "tactful.yaml"
    path.parent.mkdir()
    path.write_text("data_dir: state\nknowledge:\n  sources: [docs]\n")
    config = load_config(path, environ={})
    assert config.data_dir == tmp_path / "shop" / "state"
    assert config.knowledge.sources == [tmp_path / "shop" / "docs"]


def test_bad_value_names_file_key_and_fix(tmp_path: Path):
    path = tmp_path / "tactful.yaml"
    path.write_text("llm:\n  provider: gpt5\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    message = str(caught.value)
    assert str(path) in message and "llm.provider" in message and "'local'" in message


def test_unknown_key_is_an_error_not_ignored(tmp_path: Path):
    path = tmp_path / "tactful.yaml"
    path.write_text("llm:\n  temprature: 0.1\n")
    with pytest.raises(ConfigError, match="llm.temprature.*spelling"):
        load_config(path, environ={})


def test_bad_environment_variable_is_named():
    with pytest.raises(ConfigError, match="TACTFUL_LLM__TIMEOUT_S"):
        load_config(environ={"TACTFUL_LLM__TIMEOUT_S": "soon"})


def test_broken_yaml_gives_line_number(tmp_path: Path):
    path = tmp_path / "tactful.yaml"
    path.write_text("llm:\n  provider: [local\n")
    with pytest.raises(ConfigError, match="line"):
        load_config(path, environ={})


def test_missing_file_is_explained(tmp_path: Path):
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "nope.yaml", environ={})


def test_overlap_must_be_smaller_than_chunk():
    with pytest.raises(ConfigError, match="chunk_overlap"):
        load_config(environ={"TACTFUL_KNOWLEDGE__CHUNK_TOKENS": "50", "TACTFUL_KNOWLEDGE__CHUNK_OVERLAP": "60"})


def test_example_file_is_valid():
    config = load_config(Path(__file__).parents[2] / "tactful.example.yaml", environ={})
    assert config.store.url is None
