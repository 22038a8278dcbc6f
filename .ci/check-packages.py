#!/usr/bin/env python3
"""Compares the nuspec of every .nupkg in a folder with the expected fields in .ci/nuspec/<id>.txt.

Usage: check-packages.py FEED VERSION COMMIT

The expected file lists one field per line (`name: value`, `{version}` stands for the packed version); the repository
commit must be COMMIT, and each package must come with a .snupkg holding its portable PDB. Prints what differs and exits
1 when anything does. A new package needs its file: the failure prints the fields to copy into it.
"""
import os
import sys
import zipfile
import xml.etree.ElementTree as ET

feed, version, commit = sys.argv[1:4]
expected_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nuspec")


def local(tag):
    return tag.rsplit("}", 1)[-1]


def fields(nuspec_xml):
    root = ET.fromstring(nuspec_xml)
    metadata = next(child for child in root if local(child.tag) == "metadata")
    out = []
    by_name = {local(child.tag): child for child in metadata}

    def text(name):
        element = by_name.get(name)
        return (element.text or "").strip() if element is not None else "(missing)"

    out.append(f"id: {text('id')}")
    out.append(f"version: {text('version').replace(version, '{version}')}")
    out.append(f"authors: {text('authors')}")
    license_element = by_name.get("license")
    out.append(f"license: {license_element.get('type') if license_element is not None else '(missing)'} {text('license')}")
    out.append(f"readme: {text('readme')}")
    out.append(f"projectUrl: {text('projectUrl')}")
    repository = by_name.get("repository")
    if repository is None:
        out.append("repository: (missing)")
    else:
        out.append(f"repository: {repository.get('type')} {repository.get('url')}")
    out.append(f"tags: {text('tags')}")
    out.append(f"description: {text('description')}")
    dependencies = by_name.get("dependencies")
    for group in (dependencies if dependencies is not None else []):
        framework = group.get("targetFramework", "any")
        for dependency in group:
            out.append(f"dependency: {framework} {dependency.get('id')} {dependency.get('version').replace(version, '{version}')}")
    return out, (repository.get("commit") if repository is not None else None)


failed = False
packages = sorted(name for name in os.listdir(feed) if name.endswith(".nupkg"))
if not packages:
    print(f"CI: no .nupkg in {feed}", file=sys.stderr)
    sys.exit(1)
for name in packages:
    path = os.path.join(feed, name)
    with zipfile.ZipFile(path) as package:
        nuspec_name = next(entry for entry in package.namelist() if entry.endswith(".nuspec") and "/" not in entry)
        actual, actual_commit = fields(package.read(nuspec_name))
        readme_size = package.getinfo("README.md").file_size if "README.md" in package.namelist() else -1
    package_id = actual[0].split(": ", 1)[1]
    problems = []
    expected_path = os.path.join(expected_dir, package_id + ".txt")
    if not os.path.exists(expected_path):
        problems.append(f"no expected fields in .ci/nuspec/{package_id}.txt; the package has:\n    " + "\n    ".join(actual))
    else:
        with open(expected_path, encoding="utf-8") as handle:
            expected = [line.rstrip("\n") for line in handle if line.strip() and not line.startswith("#")]
        missing = [line for line in expected if line not in actual]
        extra = [line for line in actual if line not in expected]
        problems += [f"expected  {line}" for line in missing] + [f"but found {line}" for line in extra]
    if actual_commit != commit:
        problems.append(f"repository commit is {actual_commit!r}, expected {commit}")
    if readme_size < 0:
        problems.append("README.md is not in the package")
    elif readme_size > 8 * 1024:
        problems.append(f"README.md is {readme_size} bytes: a package gets its own short readme (src/<package>/README.md), not the repository's")
    symbols = os.path.join(feed, name[: -len(".nupkg")] + ".snupkg")
    if not os.path.exists(symbols):
        problems.append("no .snupkg symbol package beside it")
    else:
        with zipfile.ZipFile(symbols) as package:
            if not any(entry.endswith(".pdb") for entry in package.namelist()):
                problems.append("the .snupkg holds no .pdb")
    if problems:
        failed = True
        print(f"CI: package {name} does not match its expected metadata:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
    else:
        print(f"CI: package {name}: metadata as expected (commit {commit[:12]}, symbols, own readme of {readme_size} bytes)")
sys.exit(1 if failed else 0)
