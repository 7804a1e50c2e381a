/* hatake-core.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hatake-attach.h"
#include "hatake-engine.h"
#include "hatake-error.h"
#include "hatake-flow.h"
#include "hatake-image.h"
#include "hatake-pull.h"
#include "hatake-reference.h"
#include "hatake-container.h"
#include "hatake-container-config.h"
#include "hatake-log-entry.h"
#include "hatake-projects.h"
