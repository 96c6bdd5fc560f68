// The action's entry point. The real steps come with the `ports` workflow issue.
import * as core from '@actions/core';

core.setFailed('the portfarm action is not implemented yet; it comes with the ports workflow issue');
