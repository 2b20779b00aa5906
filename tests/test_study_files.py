"""Studies found by name (current folder, ACCESS_STUDY_PATH, the project's data/studies) and their output folders."""

from pathlib import Path

import pytest

from access import load_study
from access.core import settings
from access.core.errors import StudyError
from access.inputs.study_files import default_output_folder, find_study, is_study_file, list_studies, study_paths
from access.inputs.study_template import new_study


@pytest.fixture()
def own_study(tmp_path, monkeypatch) -> Path:
    """Return a study of one's own, written by new-study into a folder of its own; the current folder is elsewhere."""
    folder = tmp_path / "mine"
    new_study("waltham-forest", boroughs=["waltham forest"], folder=folder)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return folder / "waltham-forest.toml"


def test_the_projects_studies_are_found_by_name_without_regard_to_case():
    assert find_study("Redbridge-2017") == settings.project_data_dir() / "studies" / "redbridge-2017.toml"
    assert {"redbridge-2017", "city-of-london", "london-2017"} <= set(list_studies())


def test_a_near_miss_gets_did_you_mean():
    with pytest.raises(StudyError, match=r"unknown study 'redbrige-2017'; did you mean 'redbridge-2017'"):
        find_study("redbrige-2017")


def test_an_own_study_is_found_in_the_current_folder_and_in_access_study_path(own_study, monkeypatch):
    with pytest.raises(StudyError, match="unknown study .waltham-forest."):  # not here, nor on the path
        find_study("waltham-forest")
    monkeypatch.setenv("ACCESS_STUDY_PATH", str(own_study.parent))
    assert find_study("Waltham-Forest") == own_study
    assert load_study("waltham-forest").config.boroughs == ("Waltham Forest",)  # the borough's own spelling
    monkeypatch.delenv("ACCESS_STUDY_PATH")
    monkeypatch.chdir(own_study.parent)
    assert find_study("waltham-forest").resolve() == own_study.resolve()
    assert "waltham-forest" in list_studies()


def test_other_toml_files_are_not_studies(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    monkeypatch.chdir(tmp_path)
    assert not is_study_file(tmp_path / "pyproject.toml")
    assert "pyproject" not in study_paths()


def test_outputs_go_beside_the_study(own_study):
    assert default_output_folder(own_study) == own_study.parent.resolve() / "maps" / "waltham-forest"
    project = find_study("redbridge-2017")
    assert default_output_folder(project) == settings.project_data_dir().resolve().parent / "maps" / "redbridge-2017"


def test_a_folder_is_not_a_study_file(tmp_path):
    with pytest.raises(StudyError, match="is a folder, not a study file"):
        load_study(tmp_path)
